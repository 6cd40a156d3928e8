package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/web/sdk"
)

// sdkRoutes serves the browser client at /sdk/. Pages on any origin import
// it as a module, which browsers fetch in CORS mode without credentials:
// it is public, so "*" (never with credentials) and a strong ETag; a short
// max-age lets a new server version reach pages within minutes.
func (s *Server) sdkRoutes(e *gin.Engine) error {
	files, err := sdk.Files(s.version)
	if err != nil {
		return err
	}
	for _, f := range files {
		h := func(c *gin.Context) {
			hd := c.Writer.Header()
			hd.Del("Access-Control-Allow-Credentials")
			hd.Set("Access-Control-Allow-Origin", "*")
			hd.Set("Cross-Origin-Resource-Policy", "cross-origin")
			hd.Set("Cache-Control", "public, max-age=300")
			hd.Set("ETag", f.ETag)
			if inm := c.GetHeader("If-None-Match"); inm != "" && etagMatch(inm, f.ETag) {
				c.Status(http.StatusNotModified)
				return
			}
			c.Data(http.StatusOK, f.ContentType, f.Body)
		}
		e.GET("/sdk/"+f.Name, h)
		e.HEAD("/sdk/"+f.Name, h)
	}
	return nil
}
