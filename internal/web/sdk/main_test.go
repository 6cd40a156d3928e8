package sdk_test

import (
	"testing"

	"github.com/tessera-id/tessera/internal/browsertest"
)

func TestMain(m *testing.M) { browsertest.Main(m) }
