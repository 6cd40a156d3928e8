package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store"
)

// clientDeliveries are the delivery modes the client form offers.
var clientDeliveries = []string{auth.DeliveryBody, auth.DeliveryCookie, auth.DeliverySession, auth.DeliveryToken}

// clientFieldNames maps the use case's field names to the form's.
var clientFieldNames = map[string]string{
	"client_id": "client_id", "allowed_delivery": "delivery", "access_ttl_seconds": "access_ttl",
	"idle_ttl_seconds": "idle_ttl", "max_ttl_seconds": "max_ttl", "cors_origins": "origins",
	"post_logout_redirect_uris": "post_logout_uris",
}

func (p *Pages) adminClients(c *gin.Context, b *auth.BrowserSignIn, _ auth.Actor) {
	page, err := p.auth.AdminListClients(c.Request.Context(), auth.PageInput{Cursor: cursorParam(c, "cursor")})
	v := AdminClientsView{Page: p.adminShell(b, "/admin/clients"), Done: p.done(c)}
	if err != nil {
		if v.Errors, err = p.adminErrorsOK(c, err); err != nil {
			return
		}
	}
	v.Clients = page.Items
	if page.NextCursor != "" {
		v.NextHref = "/admin/clients?cursor=" + page.NextCursor
	}
	p.render(c, c.Writer.Status(), "admin_clients", v)
}

func (p *Pages) adminClientNew(c *gin.Context, b *auth.BrowserSignIn, _ auth.Actor) {
	form := ClientForm{Type: store.ClientPublic, Delivery: map[string]bool{}, AccessTTL: "0", IdleTTL: "0", MaxTTL: "0"}
	for _, d := range clientDeliveries {
		form.Delivery[d] = true
	}
	p.renderClient(c, http.StatusOK, AdminClientView{Page: p.adminShell(b, "/admin/clients"),
		New: true, Form: form, Deliveries: clientDeliveries})
}

func (p *Pages) adminClientEdit(c *gin.Context, b *auth.BrowserSignIn, _ auth.Actor) {
	cl, err := p.auth.AdminGetClient(c.Request.Context(), c.Param("id"))
	if err != nil {
		if _, ok := p.adminErrors(c, err); ok {
			p.adminNotFound(c, b, "/admin/clients")
		}
		return
	}
	p.renderClient(c, http.StatusOK, AdminClientView{Page: p.adminShell(b, "/admin/clients"),
		Done: p.done(c), Form: clientForm(cl), Deliveries: clientDeliveries, Client: cl})
}

// clientForm fills the form from a stored client.
func clientForm(cl *store.Client) ClientForm {
	f := ClientForm{ID: cl.ID, Name: cl.Name, Type: cl.Type, FirstParty: cl.FirstParty,
		RedirectURIs: strings.Join(cl.RedirectURIs, "\n"), PostLogoutURIs: strings.Join(cl.PostLogoutRedirectURIs, "\n"),
		Origins: strings.Join(cl.CORSOrigins, "\n"), Audiences: strings.Join(cl.Audiences, "\n"),
		AccessTTL: seconds(cl.AccessTTL), IdleTTL: seconds(cl.IdleTTL), MaxTTL: seconds(cl.MaxTTL),
		Delivery: map[string]bool{}}
	for _, d := range cl.AllowedDelivery {
		f.Delivery[d] = true
	}
	return f
}

func seconds(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }

// postedClient reads the client form into the form (to show it again)
// and the use case's input; a lifetime that is not a number is a field
// error of its own.
func postedClient(c *gin.Context, id string) (ClientForm, auth.ClientInput, map[string]string) {
	f := ClientForm{ID: id, Name: c.PostForm("name"), Type: c.PostForm("type"), FirstParty: c.PostForm("first_party") == "on",
		RedirectURIs: c.PostForm("redirect_uris"), PostLogoutURIs: c.PostForm("post_logout_uris"),
		Origins: c.PostForm("origins"), Audiences: c.PostForm("audiences"),
		AccessTTL: c.PostForm("access_ttl"), IdleTTL: c.PostForm("idle_ttl"), MaxTTL: c.PostForm("max_ttl"),
		Delivery: map[string]bool{}}
	in := auth.ClientInput{ID: id, Name: &f.Name, FirstParty: &f.FirstParty, AllowedDelivery: []string{},
		RedirectURIs: lines(f.RedirectURIs), PostLogoutRedirectURIs: lines(f.PostLogoutURIs),
		CORSOrigins: lines(f.Origins), Audiences: lines(f.Audiences)}
	for _, d := range c.PostFormArray("delivery") {
		if slices.Contains(clientDeliveries, d) {
			f.Delivery[d] = true
			in.AllowedDelivery = append(in.AllowedDelivery, d)
		}
	}
	bad := map[string]string{}
	for name, dst := range map[string]**time.Duration{"access_ttl": &in.AccessTTL, "idle_ttl": &in.IdleTTL, "max_ttl": &in.MaxTTL} {
		v := strings.TrimSpace(c.PostForm(name))
		if v == "" {
			v = "0"
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > int64(auth.MaxClientTTL/time.Second) {
			bad[name] = "invalid"
			continue
		}
		d := time.Duration(n) * time.Second
		*dst = &d
	}
	return f, in, bad
}

func (p *Pages) adminClientCreate(c *gin.Context, b *auth.BrowserSignIn, a auth.Actor) {
	id := strings.TrimSpace(c.PostForm("client_id"))
	f, in, bad := postedClient(c, id)
	if f.Type != "" {
		in.Type = &f.Type
	}
	v := AdminClientView{Page: p.adminShell(b, "/admin/clients"), New: true, Form: f, Deliveries: clientDeliveries}
	if len(bad) > 0 {
		p.clientFormFailed(c, v, bad)
		return
	}
	cl, secret, err := p.auth.AdminCreateClient(c.Request.Context(), a, in)
	if err != nil {
		if v.Errors, err = p.adminErrorsOK(c, err); err == nil {
			p.renameClientErrors(&v.Errors)
			p.renderClient(c, c.Writer.Status(), v)
		}
		return
	}
	if secret == "" {
		c.Redirect(http.StatusSeeOther, "/admin/clients/"+cl.ID+"?done=client")
		return
	}
	v.New, v.Client, v.Form, v.Secret = false, cl, clientForm(cl), secret
	p.renderClient(c, http.StatusOK, v)
}

func (p *Pages) adminClientUpdate(c *gin.Context, b *auth.BrowserSignIn, a auth.Actor) {
	cl, err := p.auth.AdminGetClient(c.Request.Context(), c.Param("id"))
	if err != nil {
		if _, ok := p.adminErrors(c, err); ok {
			p.adminNotFound(c, b, "/admin/clients")
		}
		return
	}
	f, in, bad := postedClient(c, cl.ID)
	f.Type = cl.Type
	v := AdminClientView{Page: p.adminShell(b, "/admin/clients"), Form: f, Deliveries: clientDeliveries, Client: cl}
	if len(bad) > 0 {
		p.clientFormFailed(c, v, bad)
		return
	}
	if _, err := p.auth.AdminUpdateClient(c.Request.Context(), a, in); err != nil {
		if v.Errors, err = p.adminErrorsOK(c, err); err == nil {
			p.renameClientErrors(&v.Errors)
			p.renderClient(c, c.Writer.Status(), v)
		}
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/clients/"+cl.ID+"?done=client")
}

// clientFormFailed shows the form again with its unreadable lifetimes.
func (p *Pages) clientFormFailed(c *gin.Context, v AdminClientView, bad map[string]string) {
	v.Errors = Errors{Summary: p.msg.text("form.problem"), Fields: map[string]string{}}
	for name := range bad {
		v.Errors.Fields[name] = p.msg.text("admin.client.ttl_invalid")
	}
	p.renderClient(c, http.StatusBadRequest, v)
}

// renameClientErrors moves the use case's field errors to the form's
// field names.
func (p *Pages) renameClientErrors(e *Errors) {
	for from, to := range clientFieldNames {
		if msg, ok := e.Fields[from]; ok && from != to {
			delete(e.Fields, from)
			e.Fields[to] = msg
		}
	}
}

func (p *Pages) adminClientSecret(c *gin.Context, b *auth.BrowserSignIn, a auth.Actor) {
	id := c.Param("id")
	back := "/admin/clients/" + id
	if !confirmed(c, "") {
		p.confirm(c, ConfirmView{Page: p.adminShell(b, "/admin/clients"), Title: p.msg.text("admin.confirm.secret.title"),
			Heading: p.msg.text("admin.confirm.secret.title"), Body: p.msg.text("admin.confirm.secret.body", id),
			Action: back + "/secret", Button: p.msg.text("admin.confirm.secret.button"), Cancel: back})
		return
	}
	cl, secret, err := p.auth.AdminRotateClientSecret(c.Request.Context(), a, id)
	if err != nil {
		errs, ok := p.adminErrors(c, err)
		if !ok {
			return
		}
		if cl, err = p.auth.AdminGetClient(c.Request.Context(), id); err != nil {
			p.adminNotFound(c, b, "/admin/clients")
			return
		}
		v := AdminClientView{Page: p.adminShell(b, "/admin/clients"), Form: clientForm(cl), Deliveries: clientDeliveries, Client: cl}
		v.Errors = errs
		p.renderClient(c, c.Writer.Status(), v)
		return
	}
	p.renderClient(c, http.StatusOK, AdminClientView{Page: p.adminShell(b, "/admin/clients"),
		Form: clientForm(cl), Deliveries: clientDeliveries, Client: cl, Secret: secret})
}

// renderClient fills the client form's fields from v.Form and v.Errors
// and renders it.
func (p *Pages) renderClient(c *gin.Context, status int, v AdminClientView) {
	f := func(name, label, value, hint string) FormField {
		ff := FormField{Name: name, Label: p.msg.text(label), Value: value, Error: v.Errors.For(name)}
		if hint != "" {
			ff.Hint = p.msg.text(hint)
		}
		return ff
	}
	if v.New {
		v.Texts = append(v.Texts, f("client_id", "admin.client.id", v.Form.ID, "admin.client.id_hint"))
	}
	v.Texts = append(v.Texts, f("name", "admin.client.name", v.Form.Name, ""))
	v.Areas = []FormField{
		f("redirect_uris", "admin.client.redirects", v.Form.RedirectURIs, "admin.client.one_per_line"),
		f("post_logout_uris", "admin.client.logout_redirects", v.Form.PostLogoutURIs, "admin.client.one_per_line"),
		f("origins", "admin.client.origins", v.Form.Origins, "admin.client.origins_hint"),
		f("audiences", "admin.client.audiences", v.Form.Audiences, "admin.client.one_per_line"),
	}
	for _, t := range [][3]string{{"access_ttl", "admin.client.access_ttl", v.Form.AccessTTL},
		{"idle_ttl", "admin.client.idle_ttl", v.Form.IdleTTL}, {"max_ttl", "admin.client.max_ttl", v.Form.MaxTTL}} {
		ff := f(t[0], t[1], t[2], "")
		ff.Number = true
		v.TTLs = append(v.TTLs, ff)
	}
	p.render(c, status, "admin_client", v)
}
