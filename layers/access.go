package layers

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// Role is what a token lets its bearer do. Roles are ordered: each can do
// everything the ones below it can.
type Role int

// Roles. None is the anonymous caller (no token).
const (
	None Role = iota
	Viewer
	Planner
	Editor
	Admin
)

var roleNames = [...]string{None: "none", Viewer: "viewer", Planner: "planner", Editor: "editor", Admin: "admin"}

// String returns the role's name.
func (r Role) String() string {
	if r < 0 || int(r) >= len(roleNames) {
		return fmt.Sprintf("Role(%d)", int(r))
	}
	return roleNames[r]
}

// ParseRole returns the role named s (viewer, planner, editor or admin).
func ParseRole(s string) (Role, error) {
	for i, n := range roleNames {
		if n == s && Role(i) != None {
			return Role(i), nil
		}
	}
	return None, fmt.Errorf("layers: unknown role %q (want viewer, planner, editor or admin): %w", s, ErrInvalid)
}

// MarshalText implements encoding.TextMarshaler.
func (r Role) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// Principal is who makes a request: a token's holder, or Anonymous.
type Principal struct {
	TokenID int64
	Name    string
	Role    Role
}

// Anonymous is the caller without a token.
var Anonymous = Principal{Role: None}

// Actor names the principal in the audit trail: "token:<id>:<name>" or
// "anonymous".
func (p Principal) Actor() string {
	if p.TokenID == 0 {
		if p.Name != "" {
			return p.Name
		}
		return "anonymous"
	}
	return fmt.Sprintf("token:%d:%s", p.TokenID, p.Name)
}

// CanRead reports whether p may see layer l. The grant rule: public layers
// are open to everyone; restricted layers are readable with any valid token
// (viewer and up), and invisible — reported as not found — to anonymous
// callers.
func (p Principal) CanRead(l *Layer) bool {
	return l.Access == Public || p.Role >= Viewer
}

// CanWrite reports whether p may change layers: metadata, imports, deletes.
// Writes need the editor role or above.
func (p Principal) CanWrite() bool { return p.Role >= Editor }

// CanAdmin reports whether p may manage tokens.
func (p Principal) CanAdmin() bool { return p.Role >= Admin }

// TokenPrefix starts every token, so that a leaked one is easy to spot.
const TokenPrefix = "cm_"

// NewToken returns a fresh random token (256 bits) and its hash. Only the
// hash is stored; the token is shown once.
func NewToken() (token string, hash []byte) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token)
}

// HashToken returns the stored form of token. Tokens carry 256 random bits,
// so a plain SHA-256 is enough: there is nothing to brute-force.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return h[:]
}

// Token is a stored token, without its secret.
type Token struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Role       Role       `json:"role"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}
