/* The native side of nonblocking_ffi.ts: a call that blocks its thread for
 * a while. Build: cc -shared -fPIC -o libsleep.so sleep.c */
#include <stddef.h>
#include <time.h>

void nap(size_t ms) {
  struct timespec t = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}
