// Command hello is the binary the image tests put in an image.
package main

import (
	"fmt"
	"os"
)

func main() { fmt.Printf("hello from %s as uid %d\n", os.Args[0], os.Getuid()) }
