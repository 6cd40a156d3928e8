package djrestauth

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store"
)

// userBody is dj-rest-auth's UserDetailsSerializer: pk, username, email,
// first_name, last_name.
type userBody struct {
	PK        any    `json:"pk"`
	Username  string `json:"username"`
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// newUserBody shows u as dj-rest-auth would. pk is the Django primary key,
// a number, for an account imported from Django (external id
// "django:<pk>"), so a front-end's links keyed by it still work; for an
// account made in Tessera it is Tessera's user id, a string.
func newUserBody(u *store.User) userBody {
	b := userBody{PK: u.ID.String(), Email: u.Email, Username: u.UsernameOrEmpty(), FirstName: u.FirstName, LastName: u.LastName}
	if u.ExternalID != nil && strings.HasPrefix(*u.ExternalID, store.DjangoIDPrefix) {
		if pk, err := strconv.ParseInt(strings.TrimPrefix(*u.ExternalID, store.DjangoIDPrefix), 10, 64); err == nil {
			b.PK = pk
		}
	}
	return b
}

// jwtBody is dj-rest-auth's JWTSerializer, with the refresh token in the
// body (JWT_AUTH_HTTPONLY off: these routes set no cookies).
type jwtBody struct {
	Access  string   `json:"access"`
	Refresh string   `json:"refresh"`
	User    userBody `json:"user"`
}

func writeJSON(c *gin.Context, status int, body any) {
	c.Header("Cache-Control", "no-store")
	c.JSON(status, body)
}

// login is dj-rest-auth's LoginView: "email" wins over "username" when
// both are sent, as in its LoginSerializer; the answer is the classic key
// (token mode) or a new device session's pair (jwt mode).
func (h *Routes) login(c *gin.Context) {
	var username, email, password string
	if !h.bind(c, func(f *form) {
		username, email, password = f.str("username", false), f.email("email", false), f.str("password", true)
	}) {
		return
	}
	if email != "" {
		username = ""
	}
	if username == "" && email == "" {
		h.write(c, nonField(`Must include either "username" or "email" and "password".`))
		return
	}
	ctx, dev := c.Request.Context(), device(c)
	if h.jwt {
		l, err := h.auth.Login(ctx, auth.LoginInput{Email: email, Username: username, Password: password, Delivery: auth.DeliveryBody, Device: dev})
		if err != nil {
			h.fail(c, err, nil)
			return
		}
		writeJSON(c, http.StatusOK, jwtBody{Access: l.AccessToken, Refresh: l.RefreshToken, User: newUserBody(l.User)})
		return
	}
	// A password alone must not mint a key for an account with a second
	// factor: the use case refuses it (dj-rest-auth has no second step).
	t, err := h.auth.ObtainClassicTokenByPassword(ctx, email, username, password, dev)
	if err != nil {
		h.fail(c, err, nil)
		return
	}
	writeJSON(c, http.StatusOK, gin.H{"key": t.Key})
}

// logout is dj-rest-auth's LogoutView. A classic key is deleted (the next
// login makes a new one); an access token ends its device session; in jwt
// mode a "refresh" in the body ends its session too, with or without an
// access token, as simplejwt's blacklist does.
func (h *Routes) logout(c *gin.Context) {
	refresh := ""
	if !h.bind(c, func(f *form) {
		if h.jwt {
			refresh = f.str("refresh", false)
		}
	}) {
		return
	}
	ctx, dev, p := c.Request.Context(), device(c), principal(c)
	switch {
	case p != nil && p.Method == "token":
		if err := h.auth.RevokeClassicToken(ctx, p.User, dev); err != nil && auth.ErrorCode(err) != auth.CodeNotFound {
			h.fail(c, err, nil)
			return
		}
	case p != nil:
		if err := h.auth.Logout(ctx, p, auth.ScopeLocal, dev); err != nil {
			h.fail(c, err, nil)
			return
		}
	case !h.jwt:
		h.write(c, detail(http.StatusBadRequest, "You should be logged in to logout. Check whether the token is passed."))
		return
	case refresh == "":
		h.write(c, detail(http.StatusUnauthorized, "Refresh token was not included in request data."))
		return
	}
	if refresh != "" {
		if err := h.auth.RevokeToken(ctx, refresh, dev); err != nil {
			h.fail(c, err, nil)
			return
		}
	}
	writeJSON(c, http.StatusOK, gin.H{"detail": "Successfully logged out."})
}

// register is dj-rest-auth's RegisterView: 201 with the login answer of
// the mode, or {"detail": "Verification e-mail sent."} when e-mail
// verification is mandatory (then the same answer whether the address was
// new or not, as Tessera's own registration).
func (h *Routes) register(c *gin.Context) {
	var username, email, p1, p2 string
	if !h.bind(c, func(f *form) {
		username, email = f.str("username", false), f.email("email", true)
		p1, p2 = f.str("password1", true), f.str("password2", true)
	}) {
		return
	}
	if p1 != p2 {
		h.write(c, nonField(msgMismatchRg))
		return
	}
	in := auth.RegisterInput{Email: email, Username: username, Password: p1, Delivery: auth.DeliveryBody, Device: device(c)}
	names := fields{"password": "password1"}
	ctx := c.Request.Context()
	if h.jwt {
		l, err := h.auth.Register(ctx, in)
		switch {
		case err != nil:
			h.fail(c, err, names)
		case l.Pending():
			writeJSON(c, http.StatusCreated, gin.H{"detail": "Verification e-mail sent."})
		default:
			writeJSON(c, http.StatusCreated, jwtBody{Access: l.AccessToken, Refresh: l.RefreshToken, User: newUserBody(l.User)})
		}
		return
	}
	_, t, err := h.auth.RegisterClassic(ctx, in)
	switch {
	case err != nil:
		h.fail(c, err, names)
	case t == nil:
		writeJSON(c, http.StatusCreated, gin.H{"detail": "Verification e-mail sent."})
	default:
		writeJSON(c, http.StatusCreated, gin.H{"key": t.Key})
	}
}
