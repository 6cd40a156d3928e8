package mfa_test

import (
	"encoding/xml"
	"regexp"
	"strconv"
	"testing"

	"github.com/boombuler/barcode/qr"

	"github.com/tessera-id/tessera/internal/mfa"
)

// TestQRSVGMatchesModules decodes the SVG back into its module grid (each
// path run "Mx yhNv1h-Nz" fills N modules of row y) and compares it, module
// by module, with the encoder's matrix, quiet zone included. No QR reader
// is among the project's dependencies, so the encoder (the one pquerna/otp
// uses for its images) is the reference for the modules and this test
// proves the drawing loses none.
func TestQRSVGMatchesModules(t *testing.T) {
	uri := "otpauth://totp/Tessera:ada@example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Tessera&period=30&digits=6&algorithm=SHA1"
	svg, err := mfa.QRSVG(uri)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ViewBox string `xml:"viewBox,attr"`
		Path    struct {
			D string `xml:"d,attr"`
		} `xml:"path"`
	}
	if err := xml.Unmarshal([]byte(svg), &doc); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	want, err := qr.Encode(uri, qr.M, qr.Auto)
	if err != nil {
		t.Fatal(err)
	}
	n := want.Bounds().Dx()
	size := n + 8
	if doc.ViewBox != "0 0 "+strconv.Itoa(size)+" "+strconv.Itoa(size) {
		t.Fatalf("viewBox %q, want %d modules with a 4-module quiet zone", doc.ViewBox, n)
	}
	grid := make([][]bool, size)
	for i := range grid {
		grid[i] = make([]bool, size)
	}
	run := regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`)
	rest := run.ReplaceAllStringFunc(doc.Path.D, func(m string) string {
		p := run.FindStringSubmatch(m)
		x, _ := strconv.Atoi(p[1])
		y, _ := strconv.Atoi(p[2])
		w, _ := strconv.Atoi(p[3])
		for i := x; i < x+w; i++ {
			grid[y][i] = true
		}
		return ""
	})
	if rest != "" {
		t.Fatalf("path has commands the test cannot read: %q", rest)
	}
	for y := range size {
		for x := range size {
			in := x >= 4 && y >= 4 && x < n+4 && y < n+4
			r, _, _, _ := func() (uint32, uint32, uint32, uint32) {
				if !in {
					return 0xffff, 0, 0, 0
				}
				return want.At(x-4, y-4).RGBA()
			}()
			if dark := r < 0x8000; grid[y][x] != dark {
				t.Fatalf("module (%d,%d): drawn %v, encoder %v", x, y, grid[y][x], dark)
			}
		}
	}
	if len(svg) > 12<<10 {
		t.Errorf("SVG of %d bytes for one otpauth URI: want it small", len(svg))
	}
}
