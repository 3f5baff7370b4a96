package pdf

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
)

// maxLogoPixels bounds a logo's decoded size, so a small file cannot expand
// into gigabytes (a decompression bomb).
const maxLogoPixels = 4096 * 4096

// logo is a decoded logo as PDF image samples.
type logo struct {
	w, h  int
	gray  bool
	rgb   []byte // 1 or 3 bytes per pixel
	alpha []byte // nil when fully opaque
}

func decodeLogo(b []byte) (*logo, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidLogo, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxLogoPixels {
		return nil, fmt.Errorf("%w: %dx%d pixels", ErrInvalidLogo, cfg.Width, cfg.Height)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidLogo, err)
	}
	r := img.Bounds()
	l := &logo{w: r.Dx(), h: r.Dy()}
	switch m := img.(type) {
	case *image.Gray:
		l.gray = true
		l.rgb = make([]byte, 0, l.w*l.h)
		for y := r.Min.Y; y < r.Max.Y; y++ {
			l.rgb = append(l.rgb, m.Pix[m.PixOffset(r.Min.X, y):m.PixOffset(r.Max.X, y)]...)
		}
	case *image.NRGBA:
		l.rgb = make([]byte, 0, 3*l.w*l.h)
		l.alpha = make([]byte, 0, l.w*l.h)
		for y := r.Min.Y; y < r.Max.Y; y++ {
			row := m.Pix[m.PixOffset(r.Min.X, y):m.PixOffset(r.Max.X, y)]
			for i := 0; i < len(row); i += 4 {
				l.rgb = append(l.rgb, row[i], row[i+1], row[i+2])
				l.alpha = append(l.alpha, row[i+3])
			}
		}
	default:
		// Paletted, RGBA, 16-bit and the rest: the generic, slower path.
		l.rgb = make([]byte, 0, 3*l.w*l.h)
		l.alpha = make([]byte, 0, l.w*l.h)
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
				l.rgb = append(l.rgb, c.R, c.G, c.B)
				l.alpha = append(l.alpha, c.A)
			}
		}
	}
	if l.alpha != nil && opaque(l.alpha) {
		l.alpha = nil
	}
	return l, nil
}

func opaque(a []byte) bool {
	for _, v := range a {
		if v != 0xff {
			return false
		}
	}
	return true
}
