package postgis

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/coalmap/coalmap/layers"
)

const (
	sqlCreateToken = `INSERT INTO catalog.tokens (name, role, hash) VALUES ($1, $2, $3) RETURNING id, created_at`
	sqlTokens      = `SELECT id, name, role, created_at, last_used_at, revoked_at FROM catalog.tokens ORDER BY id`
	sqlRevokeToken = `UPDATE catalog.tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1`
	// Authentication stamps last_used_at at most once a minute, so that
	// reads do not turn into a write each.
	sqlAuthenticate = `WITH t AS (SELECT id, name, role, last_used_at FROM catalog.tokens WHERE hash = $1 AND revoked_at IS NULL),
u AS (UPDATE catalog.tokens k SET last_used_at = now() FROM t
      WHERE k.id = t.id AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute'))
SELECT id, name, role FROM t`
)

// CreateToken stores a token's hash with its role and records who made it.
func (s *Store) CreateToken(ctx context.Context, name string, role layers.Role, hash []byte, actor string) (layers.Token, error) {
	t := layers.Token{Name: name, Role: role}
	if role == layers.None {
		return t, fmt.Errorf("postgis: create token: a token needs a role: %w", layers.ErrInvalid)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, sqlCreateToken, name, role.String(), hash).Scan(&t.ID, &t.CreatedAt); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, sqlAudit, actor, "token.create", fmt.Sprintf("token:%d", t.ID),
			jsonArg(map[string]any{"name": name, "role": role.String()}))
		return err
	})
	return t, translate("create token", err)
}

// Tokens returns every token, revoked ones included; never their hashes.
func (s *Store) Tokens(ctx context.Context) ([]layers.Token, error) {
	rows, err := s.pool.Query(ctx, sqlTokens)
	if err != nil {
		return nil, translate("tokens", err)
	}
	ts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (layers.Token, error) {
		var t layers.Token
		var role string
		if err := r.Scan(&t.ID, &t.Name, &role, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt); err != nil {
			return t, err
		}
		var err error
		t.Role, err = layers.ParseRole(role)
		return t, err
	})
	if err != nil {
		return nil, translate("tokens", err)
	}
	return ts, nil
}

// RevokeToken makes token id unusable from now on.
func (s *Store) RevokeToken(ctx context.Context, id int64, actor string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sqlRevokeToken, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("token %d: %w", id, layers.ErrNotFound)
		}
		_, err = tx.Exec(ctx, sqlAudit, actor, "token.revoke", fmt.Sprintf("token:%d", id), []byte(`{}`))
		return err
	})
	if errors.Is(err, layers.ErrNotFound) {
		return translate("revoke", err)
	}
	return translate("revoke token", err)
}

// Authenticate returns the principal of the live token whose hash is hash.
func (s *Store) Authenticate(ctx context.Context, hash []byte) (layers.Principal, error) {
	var p layers.Principal
	var role string
	err := s.pool.QueryRow(ctx, sqlAuthenticate, hash).Scan(&p.TokenID, &p.Name, &role)
	if errors.Is(err, pgx.ErrNoRows) {
		return layers.Anonymous, fmt.Errorf("postgis: unknown or revoked token: %w", layers.ErrUnauthorized)
	}
	if err != nil {
		return layers.Anonymous, translate("authenticate", err)
	}
	if p.Role, err = layers.ParseRole(role); err != nil {
		return layers.Anonymous, err
	}
	return p, nil
}
