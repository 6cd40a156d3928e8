// Package config owns Tessera's settings: their defaults, their TESSERA_*
// environment variables and `serve` flags (defaults, then environment, then
// flags), and Validate, which reports every bad value at once.
//
// It must never open files, sockets or databases: it only describes.
package config
