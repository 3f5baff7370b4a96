package pdf

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
)

// fontEntry is one embedded font subset ready to write: the compressed
// font program and ToUnicode map, and the /W array.
type fontEntry struct {
	tag       string
	file      []byte // Flate-compressed subset
	fileLen   int    // its uncompressed length (/Length1)
	toUnicode []byte // Flate-compressed CMap
	widths    string
}

// fontCache keeps compressed subsets per process, keyed by face, glyphs in
// order and what each stands for: documents of one org mostly draw the
// same glyphs (its name, labels, digits), and building and compressing a
// subset is most of a render's work. At most maxFontCache entries are kept;
// when full, an arbitrary one is dropped.
type fontCache struct {
	mu sync.Mutex
	m  map[[32]byte]*fontEntry
}

const maxFontCache = 512

var subsets = &fontCache{m: map[[32]byte]*fontEntry{}}

func (c *fontCache) get(fu *fontUse) (*fontEntry, error) {
	key := fontKey(fu)
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return e, nil
	}
	e, err := buildFont(fu, key)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) >= maxFontCache {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[key] = e
	c.mu.Unlock()
	return e, nil
}

func fontKey(fu *fontUse) [32]byte {
	h := sha256.New()
	h.Write([]byte(fu.face.name))
	var b [2]byte
	for i, g := range fu.gids {
		binary.BigEndian.PutUint16(b[:], g)
		h.Write([]byte{0})
		h.Write(b[:])
		h.Write([]byte(fu.text[i]))
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

func buildFont(fu *fontUse, key [32]byte) (*fontEntry, error) {
	sfnt := fu.face.subset(fu.gids)
	file, err := deflate(sfnt)
	if err != nil {
		return nil, fmt.Errorf("compress font %s: %w", fu.face.name, err)
	}
	tu, err := deflate(toUnicode(fu))
	if err != nil {
		return nil, fmt.Errorf("compress font %s: %w", fu.face.name, err)
	}
	var widths strings.Builder
	widths.WriteString("0 [")
	for _, g := range fu.gids {
		widths.WriteString(itoa(fu.pdfWidth(g)))
		widths.WriteByte(' ')
	}
	widths.WriteString("]")
	return &fontEntry{tag: subsetTag(key), file: file, fileLen: len(sfnt), toUnicode: tu, widths: widths.String()}, nil
}
