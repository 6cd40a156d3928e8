package password

// This file exposes internals to the external password_test package only.

// HoldSlots takes n hashing slots of h, blocking until it has them, and
// returns the function that frees them.
func HoldSlots(h *Hasher, n int) (release func()) {
	for range n {
		h.slots <- struct{}{}
	}
	return func() {
		for range n {
			<-h.slots
		}
	}
}

// Decode and Encode are the PHC codec.
var (
	Decode = decode
	Encode = encode
)
