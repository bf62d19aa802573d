/* The native side of callback_ffi.ts: a library that reports the outcome
 * of a long operation through a callback registered beforehand.
 * Build: cc -shared -fPIC -o libcallback.so callback.c */
#include <stdint.h>
#include <stddef.h>

typedef void (*status_callback)(uint8_t success);

static status_callback on_status;
static int started;

void set_status_callback(status_callback callback) { on_status = callback; }

void start_long_operation(void) { started = 1; }

/* Reports through the callback once the operation has started. */
void check_status(void) {
  if (on_status != NULL) on_status(started ? 1 : 0);
}
