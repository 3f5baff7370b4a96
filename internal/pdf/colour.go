package pdf

import "fmt"

// rgb is a colour with components in 0..1, as PDF operators take them.
type rgb struct{ r, g, b float64 }

// Fixed colours of the layout; only the brand colour varies.
var (
	defaultBrand = rgb{0x2B / 255.0, 0x6C / 255.0, 0xB0 / 255.0} // #2B6CB0, a calm blue
	white        = rgb{1, 1, 1}
	ink          = rgb{0x1F / 255.0, 0x23 / 255.0, 0x28 / 255.0}
	muted        = rgb{0x5F / 255.0, 0x6B / 255.0, 0x7A / 255.0}
	ruleGrey     = rgb{0xD8 / 255.0, 0xDE / 255.0, 0xE4 / 255.0}
	stampRed     = rgb{0xB3 / 255.0, 0x26 / 255.0, 0x1E / 255.0}
)

// parseColour reads "#RRGGBB"; empty means the default brand colour.
func parseColour(s string) (rgb, error) {
	if s == "" {
		return defaultBrand, nil
	}
	if len(s) != 7 || s[0] != '#' {
		return rgb{}, fmt.Errorf("%w: got %q", ErrInvalidColour, s)
	}
	var v [3]float64
	for i := range v {
		hi, ok1 := hexDigit(s[1+2*i])
		lo, ok2 := hexDigit(s[2+2*i])
		if !ok1 || !ok2 {
			return rgb{}, fmt.Errorf("%w: got %q", ErrInvalidColour, s)
		}
		v[i] = float64(hi<<4|lo) / 255
	}
	return rgb{v[0], v[1], v[2]}, nil
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// luminance is the relative luminance (WCAG) of c.
func (c rgb) luminance() float64 {
	lin := func(v float64) float64 {
		if v <= 0.03928 {
			return v / 12.92
		}
		x := (v + 0.055) / 1.055
		return x * x * (x*0.2 + 0.8) // close enough to x^2.4 for choosing a text colour
	}
	return 0.2126*lin(c.r) + 0.7152*lin(c.g) + 0.0722*lin(c.b)
}

// onColour is the text colour readable on a background of c.
func (c rgb) onColour() rgb {
	if c.luminance() > 0.45 {
		return ink
	}
	return white
}

// tint mixes c with white; f = 0 is white, 1 is c.
func (c rgb) tint(f float64) rgb {
	return rgb{1 - f*(1-c.r), 1 - f*(1-c.g), 1 - f*(1-c.b)}
}

// readable is c darkened until it reads as text on white.
func (c rgb) readable() rgb {
	for i := 0; i < 8 && c.luminance() > 0.3; i++ {
		c = rgb{c.r * 0.8, c.g * 0.8, c.b * 0.8}
	}
	return c
}
