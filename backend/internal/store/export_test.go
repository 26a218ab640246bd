package store

import "gorm.io/gorm"

// Gorm lets the external tests observe the statements the store runs.
func (db *DB) Gorm() *gorm.DB { return db.gorm }
