// Package djrestauth serves dj-rest-auth's routes (login, logout, user,
// password reset and change, registration, and simplejwt's token verify
// and refresh) with their request fields, their answers and Django REST
// Framework's error shapes, so that a front-end written for a Django
// backend works against Tessera with only its base URL changed.
//
// It owns the translation and nothing else: every route binds the request
// the way DRF would, calls one use case of internal/auth (the same ones
// /v1/auth calls), and writes the answer dj-rest-auth would. It must never
// hold a rule of its own (no password check, no token format, no limit):
// where dj-rest-auth and Tessera differ, Tessera's rule wins and the
// difference is listed in README.md ("dj-rest-auth compatibility").
//
// The shapes come from dj-rest-auth's source (github.com/iMerica/dj-rest-auth:
// dj_rest_auth/views.py, serializers.py, jwt_auth.py, registration/views.py,
// registration/serializers.py), djangorestframework-simplejwt's
// (rest_framework_simplejwt/views.py, exceptions.py, serializers.py) and
// Django REST Framework's exceptions and fields.
package djrestauth
