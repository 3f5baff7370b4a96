package main

import (
	"context"
	"fmt"
	"html"
	"os"
	"path/filepath"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// browser is one warm headless Chromium tab, reused for every print so the
// benchmark measures printing, not browser start-up.
type browser struct {
	ctx     context.Context
	cancel  func()
	frameID cdp.FrameID
}

func startBrowser(execPath, fontDir string) (*browser, error) {
	dir, err := os.MkdirTemp("", "carebill-bench-chromium-*")
	if err != nil {
		return nil, err
	}
	// The system's fonts plus carebill's CJK fonts.
	conf := filepath.Join(dir, "fonts.conf")
	fontconf := `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>` +
		`<include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>` + html.EscapeString(fontDir) + `</dir></fontconfig>`
	if err := os.WriteFile(conf, []byte(fontconf), 0o644); err != nil {
		return nil, err
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(dir),
		chromedp.Env("FONTCONFIG_FILE="+conf),
	)
	ctx, cancel := chromedp.NewContext(actx)
	b := &browser{ctx: ctx, cancel: func() { cancel(); acancel(); os.RemoveAll(dir) }}
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		b.close()
		return nil, fmt.Errorf("start chromium %s: %w", execPath, err)
	}
	frame, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) (cdp.FrameID, error) {
		res, err := cdp.Call(ctx, t, page.GetFrameTree, cdp.Empty{})
		if err != nil {
			return "", err
		}
		return res.FrameTree.Frame.ID, nil
	})
	if err != nil {
		b.close()
		return nil, fmt.Errorf("chromium frame tree: %w", err)
	}
	b.frameID = frame
	return b, nil
}

// print loads html into the tab and prints it to A4 with footer repeated on
// every page.
func (b *browser) print(html, footer string) ([]byte, error) {
	return chromedp.Run(b.ctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		if _, err := cdp.Call(ctx, t, page.SetDocumentContent, page.SetDocumentContentParams{FrameID: b.frameID, HTML: html}); err != nil {
			return nil, err
		}
		return chromedp.PrintToPDF(
			chromedp.PDFPaper(chromedp.PaperA4),
			chromedp.PDFPreferCSSPageSize(),
			chromedp.PDFPrintBackground(),
			chromedp.PDFHeaderTemplate("<span></span>"),
			chromedp.PDFFooterTemplate(footer),
		)(ctx, t)
	})
}

func (b *browser) close() { b.cancel() }
