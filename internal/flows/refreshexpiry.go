package flows

import "time"

// RefreshTokenExpiry is when a refresh token expires, as far as its token
// response tells: refresh_expires_in (Keycloak's field: seconds after
// obtained, a number or a numeric string; 0, Keycloak's answer for offline
// tokens, says nothing), else the exp claim of a JWT refresh token. Zero
// when unknown. refreshExpiresIn is the decoded JSON value of the field (nil
// when absent), e.g. golang.org/x/oauth2's Token.Extra("refresh_expires_in").
func RefreshTokenExpiry(refreshToken string, refreshExpiresIn any, obtained time.Time) time.Time {
	if refreshToken == "" {
		return time.Time{}
	}
	if secs, ok := seconds(refreshExpiresIn); ok && secs > 0 {
		return obtained.Add(time.Duration(secs * float64(time.Second)))
	}
	if _, exp, ok := jwtClaims(refreshToken); ok {
		return exp
	}
	return time.Time{}
}
