/* The native side of ffi.ts: a function that adds two pointer-sized
 * integers. Build: cc -shared -fPIC -o libadd.so add.c */
#include <stdint.h>

intptr_t add(intptr_t a, intptr_t b) { return a + b; }
