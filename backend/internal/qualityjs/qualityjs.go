// Package qualityjs embeds the browser quality reporter that call pages load
// from Pulse (/pulse-quality.js, /pulse-quality.mjs). The files are the build
// of frontend/src/quality-reporter, committed so that the binary needs no
// Node: `make quality-reporter` writes them and `make quality-reporter-check`
// fails when they differ from a fresh build of the source.
package qualityjs

import _ "embed"

// Script is the reporter as a classic script: it defines the global
// PulseQuality (reportLiveKitQuality, reportDailyQuality, …).
//
//go:embed pulse-quality.js
var Script []byte

// Module is the same reporter as an ES module with named exports.
//
//go:embed pulse-quality.mjs
var Module []byte
