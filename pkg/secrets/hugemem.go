package secrets

import "unsafe"

// addrOf is the address of b's first byte (b not empty).
func addrOf(b []byte) uintptr { return uintptr(unsafe.Pointer(&b[0])) }

// uint32s views b (4-byte aligned, len a multiple of 4) as uint32s.
func uint32s(b []byte) []uint32 {
	return unsafe.Slice((*uint32)(unsafe.Pointer(&b[0])), len(b)/4)
}
