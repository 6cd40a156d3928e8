package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"text/template"
)

// Brand is what the pages show of the product: its name, its logo and the
// accent colour of primary buttons and links.
type Brand struct {
	Name    string
	LogoURL string
}

// rgb is a colour with channels in 0..255.
type rgb struct{ r, g, b float64 }

// parseHex reads #rgb or #rrggbb (config has checked the shape).
func parseHex(s string) (rgb, error) {
	h := s[1:]
	if len(h) == 3 {
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	}
	v, err := strconv.ParseUint(h, 16, 32)
	if err != nil || len(h) != 6 {
		return rgb{}, fmt.Errorf("brand colour %q: want #rgb or #rrggbb", s)
	}
	return rgb{float64(v >> 16), float64(v >> 8 & 0xff), float64(v & 0xff)}, nil
}

func (c rgb) hex() string {
	return fmt.Sprintf("#%02x%02x%02x", int(math.Round(c.r)), int(math.Round(c.g)), int(math.Round(c.b)))
}

// luminance is the WCAG 2 relative luminance.
func (c rgb) luminance() float64 {
	lin := func(v float64) float64 {
		v /= 255
		if v <= 0.04045 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.r) + 0.7152*lin(c.g) + 0.0722*lin(c.b)
}

// contrast is the WCAG 2 contrast ratio of two colours (1 to 21).
func contrast(a, b rgb) float64 {
	la, lb := a.luminance(), b.luminance()
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// mix moves c towards to by f (0..1).
func mix(c, to rgb, f float64) rgb {
	return rgb{c.r + (to.r-c.r)*f, c.g + (to.g-c.g)*f, c.b + (to.b-c.b)*f}
}

// minContrast is WCAG AA for body text.
const minContrast = 4.5

// readableOn returns c, moved towards toward in small steps until it has
// AA contrast against bg. A colour that already passes is kept as chosen.
func readableOn(c, bg, toward rgb) rgb {
	for f := 0.0; f <= 1; f += 0.02 {
		if m := mix(c, toward, f); contrast(m, bg) >= minContrast {
			return m
		}
	}
	return toward
}

// The page backgrounds the accent must stand out against (the card, which
// holds every link and button); the stylesheet uses the same values.
var (
	white    = rgb{255, 255, 255}
	black    = rgb{0, 0, 0}
	darkCard = rgb{0x1d, 0x20, 0x26}
)

// palette is the accent in both themes. In the light theme the accent is
// darkened until it reads on white, so white text on an accent button reads
// too; in the dark theme it is lightened until it reads on the dark card,
// and buttons carry near-black text.
type palette struct {
	Light, Dark string
}

func newPalette(accent string) (palette, error) {
	c, err := parseHex(accent)
	if err != nil {
		return palette{}, err
	}
	return palette{
		Light: readableOn(c, white, black).hex(),
		Dark:  readableOn(c, darkCard, white).hex(),
	}, nil
}

// stylesheet renders the embedded stylesheet with the accent colours and
// returns it with a short hash of its bytes, for the URL that busts caches.
func stylesheet(src string, p palette) ([]byte, string, error) {
	tmpl, err := template.New("css").Parse(src)
	if err != nil {
		return nil, "", fmt.Errorf("stylesheet: %w", err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, p); err != nil {
		return nil, "", fmt.Errorf("stylesheet: %w", err)
	}
	sum := sha256.Sum256(b.Bytes())
	return b.Bytes(), hex.EncodeToString(sum[:6]), nil
}

// logoOrigin is the origin of the logo URL, for the CSP's img-src; "" when
// there is no logo.
func logoOrigin(logo string) string {
	if logo == "" {
		return ""
	}
	u, err := url.Parse(logo)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
