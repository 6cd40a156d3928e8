package mfa

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/boombuler/barcode/qr"
)

// quietZone is the blank margin around a QR code, in modules (ISO/IEC
// 18004 asks for four).
const quietZone = 4

// QRSVG renders uri as a QR code in SVG: one <path> of unit squares on a
// white background, in a viewBox of modules, so it scales to any size
// without blur and weighs a few kilobytes. The module matrix comes from
// boombuler/barcode, the encoder pquerna/otp itself uses; only the drawing
// is ours, because pquerna/otp offers a raster image alone (a PNG data URI
// is several times larger and blurs when scaled).
func QRSVG(uri string) (string, error) {
	code, err := qr.Encode(uri, qr.M, qr.Auto)
	if err != nil {
		return "", fmt.Errorf("qr code: %w", err)
	}
	n := code.Bounds().Dx()
	size := n + 2*quietZone
	var path strings.Builder
	for y := 0; y < n; y++ {
		for x := 0; x < n; {
			if !dark(code.At(x, y)) {
				x++
				continue
			}
			run := 1
			for x+run < n && dark(code.At(x+run, y)) {
				run++
			}
			// One horizontal run of dark modules: move, width, height 1.
			path.WriteString("M" + strconv.Itoa(x+quietZone) + " " + strconv.Itoa(y+quietZone) +
				"h" + strconv.Itoa(run) + "v1h-" + strconv.Itoa(run) + "z")
			x += run
		}
	}
	return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + strconv.Itoa(size) + " " + strconv.Itoa(size) +
		`" shape-rendering="crispEdges" role="img" aria-label="QR code"><rect width="100%" height="100%" fill="#fff"/>` +
		`<path fill="#000" d="` + path.String() + `"/></svg>`, nil
}

// dark reports whether a module of the code is set.
func dark(c interface{ RGBA() (r, g, b, a uint32) }) bool {
	r, _, _, _ := c.RGBA()
	return r < 0x8000
}
