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

// RefreshExpiryState is how close a refresh token is to its expiry.
type RefreshExpiryState int

// The states of [RefreshExpiryStatus].
const (
	// RefreshNotExpiring: the expiry is unknown, outside the window, or
	// the window is off.
	RefreshNotExpiring RefreshExpiryState = iota
	// RefreshExpiresSoon: the refresh token expires within the window.
	RefreshExpiresSoon
	// RefreshExpired: the expiry has passed.
	RefreshExpired
)

// RefreshExpiryStatus says whether a refresh token expiring at expiresAt
// (zero: unknown) has expired at now or expires within window of it (an
// expiry exactly at now+window is within). A window of zero or less turns
// the check off: the result is then always RefreshNotExpiring, also for an
// expired token.
func RefreshExpiryStatus(expiresAt, now time.Time, window time.Duration) RefreshExpiryState {
	switch {
	case window <= 0 || expiresAt.IsZero():
		return RefreshNotExpiring
	case !expiresAt.After(now):
		return RefreshExpired
	case !expiresAt.After(now.Add(window)):
		return RefreshExpiresSoon
	}
	return RefreshNotExpiring
}
