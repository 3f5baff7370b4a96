package pdf

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"fmt"
	"strconv"
	"sync"
	"unicode/utf16"
)

// objWriter assembles a PDF file in memory: numbered indirect objects, a
// cross-reference table and a trailer. Object numbers are handed out before
// the objects are written, so objects may refer to ones written later.
type objWriter struct {
	buf     bytes.Buffer
	offsets []int // by object number; index 0 unused
	zbuf    bytes.Buffer
}

// zlibs pools Flate compressors: setting one up allocates about a megabyte.
var zlibs = sync.Pool{New: func() any {
	z, _ := zlib.NewWriterLevel(nil, zlib.BestSpeed) // a valid level never fails
	return z
}}

// deflateTo compresses data into buf with a pooled compressor.
func deflateTo(buf *bytes.Buffer, data []byte) error {
	z := zlibs.Get().(*zlib.Writer)
	defer zlibs.Put(z)
	z.Reset(buf)
	if _, err := z.Write(data); err != nil {
		return err
	}
	return z.Close()
}

// deflate returns data Flate-compressed.
func deflate(data []byte) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(data)/2 + 64)
	if err := deflateTo(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func newObjWriter() *objWriter {
	w := &objWriter{offsets: []int{0}}
	w.buf.Grow(64 << 10)
	w.buf.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	return w
}

// alloc reserves the next object number.
func (w *objWriter) alloc() int {
	w.offsets = append(w.offsets, -1)
	return len(w.offsets) - 1
}

// object writes object n with the given dictionary or value.
func (w *objWriter) object(n int, body string) {
	w.offsets[n] = w.buf.Len()
	fmt.Fprintf(&w.buf, "%d 0 obj\n%s\nendobj\n", n, body)
}

// stream writes object n as a Flate-compressed stream. dict holds extra
// dictionary entries (without the << >>).
func (w *objWriter) stream(n int, dict string, data []byte) error {
	w.zbuf.Reset()
	if err := deflateTo(&w.zbuf, data); err != nil {
		return err
	}
	w.compressed(n, dict, w.zbuf.Bytes())
	return nil
}

// compressed writes object n as a stream of already Flate-compressed data.
func (w *objWriter) compressed(n int, dict string, data []byte) {
	w.offsets[n] = w.buf.Len()
	fmt.Fprintf(&w.buf, "%d 0 obj\n<< %s /Filter /FlateDecode /Length %d >>\nstream\n", n, dict, len(data))
	w.buf.Write(data)
	w.buf.WriteString("\nendstream\nendobj\n")
}

// finish writes the cross-reference table and trailer. The file id is a hash
// of the content, so the same document always yields the same bytes.
func (w *objWriter) finish(root, info int) ([]byte, error) {
	for n, off := range w.offsets[1:] {
		if off < 0 {
			return nil, fmt.Errorf("pdf object %d allocated but not written", n+1)
		}
	}
	id := sha256.Sum256(w.buf.Bytes())
	xref := w.buf.Len()
	fmt.Fprintf(&w.buf, "xref\n0 %d\n0000000000 65535 f \n", len(w.offsets))
	for _, off := range w.offsets[1:] {
		fmt.Fprintf(&w.buf, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&w.buf, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%x> <%x>] >>\nstartxref\n%d\n%%%%EOF\n",
		len(w.offsets), root, info, id[:16], id[:16], xref)
	return w.buf.Bytes(), nil
}

// ref formats an indirect reference.
func ref(n int) string { return strconv.Itoa(n) + " 0 R" }

// textString encodes s as a PDF text string: UTF-16BE with a byte order mark,
// in hex, which needs no escaping and survives any input.
func textString(s string) string {
	var b []byte
	b = append(b, "<FEFF"...)
	for _, u := range utf16.Encode([]rune(s)) {
		b = fmt.Appendf(b, "%04X", u)
	}
	return string(append(b, '>'))
}

// asciiString encodes an ASCII string (such as a URI) as a PDF literal string.
func asciiString(s string) string {
	var b []byte
	b = append(b, '(')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '(', ')', '\\':
			b = append(b, '\\', c)
		default:
			b = append(b, c)
		}
	}
	return string(append(b, ')'))
}

// appendNum formats a layout coordinate with at most two decimals.
func appendNum(b []byte, f float64) []byte {
	start := len(b)
	b = strconv.AppendFloat(b, f, 'f', 2, 64)
	for b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	if b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	if string(b[start:]) == "-0" {
		b = append(b[:start], '0')
	}
	return b
}
