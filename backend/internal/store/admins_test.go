package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
)

func TestAdminRoleAndDisabled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, err := db.CreateAdmin(ctx, pulse.Admin{Email: "a@example.org", Role: pulse.RoleSuperAdmin, PasswordHash: "x"})
		require.NoError(t, err)
		assert.False(t, a.Disabled)

		t.Run("SetRole", func(t *testing.T) {
			got, err := db.SetAdminRole(ctx, "a@example.org", pulse.RoleContentManager)
			require.NoError(t, err)
			assert.Equal(t, pulse.RoleContentManager, got.Role)
			byID, err := db.AdminByID(ctx, a.ID)
			require.NoError(t, err)
			assert.Equal(t, pulse.RoleContentManager, byID.Role)
		})
		t.Run("SetUnknownRole", func(t *testing.T) {
			_, err := db.SetAdminRole(ctx, "a@example.org", "ROOT")
			assert.Equal(t, pulse.EINVALID, pulse.ErrorCode(err))
		})
		t.Run("DisableAndEnable", func(t *testing.T) {
			got, err := db.SetAdminDisabled(ctx, "a@example.org", true)
			require.NoError(t, err)
			assert.True(t, got.Disabled)
			got, err = db.SetAdminDisabled(ctx, "a@example.org", true)
			require.NoError(t, err)
			assert.True(t, got.Disabled, "disabling twice changes nothing")
			got, err = db.SetAdminDisabled(ctx, "a@example.org", false)
			require.NoError(t, err)
			assert.False(t, got.Disabled)
		})
		t.Run("UnknownEmail", func(t *testing.T) {
			_, err := db.SetAdminRole(ctx, "nobody@example.org", pulse.RoleSuperAdmin)
			assert.Equal(t, pulse.ENOTFOUND, pulse.ErrorCode(err))
			_, err = db.SetAdminDisabled(ctx, "nobody@example.org", true)
			assert.Equal(t, pulse.ENOTFOUND, pulse.ErrorCode(err))
		})
	})
}

func TestAPIKeyLifeCycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
		a, err := db.CreateAPIKey(ctx, pulse.APIKey{Name: "gateway", Prefix: "pulse_abcdef", Hash: "hash-a"})
		require.NoError(t, err)
		b, err := db.CreateAPIKey(ctx, pulse.APIKey{Name: "webhooks", Prefix: "pulse_ghijkl", Hash: "hash-b"})
		require.NoError(t, err)

		t.Run("ListOldestFirst", func(t *testing.T) {
			keys, err := db.ListAPIKeys(ctx)
			require.NoError(t, err)
			require.Len(t, keys, 2)
			assert.Equal(t, []string{"gateway", "webhooks"}, []string{keys[0].Name, keys[1].Name})
			assert.True(t, keys[0].LastUsedAt.IsZero())
			assert.False(t, keys[0].Revoked())
		})
		t.Run("TouchNeverMovesBack", func(t *testing.T) {
			require.NoError(t, db.TouchAPIKey(ctx, a.ID, now))
			require.NoError(t, db.TouchAPIKey(ctx, a.ID, now.Add(-time.Minute)))
			k, err := db.APIKeyByHash(ctx, "hash-a")
			require.NoError(t, err)
			assert.True(t, k.LastUsedAt.Equal(now), "got %s", k.LastUsedAt)
		})
		t.Run("Revoke", func(t *testing.T) {
			require.NoError(t, db.RevokeAPIKey(ctx, b.ID, now))
			k, err := db.APIKeyByHash(ctx, "hash-b")
			require.NoError(t, err, "a revoked key is still found, to be refused")
			assert.True(t, k.Revoked())
			assert.True(t, k.RevokedAt.Equal(now))
		})
		t.Run("RevokeTwiceConflicts", func(t *testing.T) {
			err := db.RevokeAPIKey(ctx, b.ID, now.Add(time.Hour))
			assert.Equal(t, pulse.ECONFLICT, pulse.ErrorCode(err))
			k, err := db.APIKeyByHash(ctx, "hash-b")
			require.NoError(t, err)
			assert.True(t, k.RevokedAt.Equal(now), "the first revocation's time stays")
		})
		t.Run("RevokeUnknown", func(t *testing.T) {
			assert.Equal(t, pulse.ENOTFOUND, pulse.ErrorCode(db.RevokeAPIKey(ctx, 999, now)))
		})
	})
}

func TestRevokedTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
		require.NoError(t, db.RevokeToken(ctx, "expired", now.Add(-time.Minute)))
		require.NoError(t, db.RevokeToken(ctx, "live", now.Add(time.Hour)))
		require.NoError(t, db.RevokeToken(ctx, "live", now.Add(time.Hour)), "revoking twice changes nothing")

		ids, err := db.RevokedTokens(ctx, now)
		require.NoError(t, err)
		assert.Equal(t, []string{"live"}, ids, "expired tokens are refused by their expiry anyway")

		n, err := db.PruneRevokedTokens(ctx, now)
		require.NoError(t, err)
		assert.EqualValues(t, 1, n)
		ids, err = db.RevokedTokens(ctx, now.Add(-time.Hour))
		require.NoError(t, err)
		assert.Equal(t, []string{"live"}, ids)
	})
}
