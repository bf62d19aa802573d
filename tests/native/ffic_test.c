/* The native library ffic's tests call on every path. One function per type
 * and per signature class: identities for boundary values, arithmetic whose
 * result shows each argument landed in its place, every struct class of the
 * System V ABI in both directions, 26 mixed parameters, function pointers,
 * buffers, callbacks (on this thread and on others), slow calls for the
 * nonblocking paths, and statics. ffic_test.json binds everything but the
 * callbacks and slow calls, which the host's JS tests bind themselves. */

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

/* ---- scalars ---------------------------------------------------------- */

static uint32_t nop_calls;

void nop(void) { nop_calls++; }
uint32_t nop_count(void) { return nop_calls; }

bool id_bool(bool x) { return x; }
uint8_t id_u8(uint8_t x) { return x; }
int8_t id_i8(int8_t x) { return x; }
uint16_t id_u16(uint16_t x) { return x; }
int16_t id_i16(int16_t x) { return x; }
uint32_t id_u32(uint32_t x) { return x; }
int32_t id_i32(int32_t x) { return x; }
uint64_t id_u64(uint64_t x) { return x; }
int64_t id_i64(int64_t x) { return x; }
size_t id_usize(size_t x) { return x; }
ptrdiff_t id_isize(ptrdiff_t x) { return x; }
float id_f32(float x) { return x; }
double id_f64(double x) { return x; }
void *id_pointer(void *x) { return x; }

bool not_bool(bool x) { return !x; }
/* Widening results: each shows how the callee saw a narrow argument. */
int32_t widen_i8(int8_t x) { return x; }
uint32_t widen_u8(uint8_t x) { return x; }
int32_t widen_i16(int16_t x) { return x; }
uint32_t widen_u16(uint16_t x) { return x; }

int32_t add_i32(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
uint8_t add_u8(uint8_t a, uint8_t b) { return (uint8_t)(a + b); }
int64_t add_i64(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
uint64_t add_u64(uint64_t a, uint64_t b) { return a + b; }
float add_f32(float a, float b) { return a + b; }
double add_f64(double a, double b) { return a + b; }

/* Weights make every argument's position visible in the result. */
double mix6(int8_t a, uint16_t b, int32_t c, int64_t d, float e, double f) {
  return a + 2.0 * b + 3.0 * c + 4.0 * (double)d + 5.0 * e + 6.0 * f;
}

/* 26 parameters: 13 integers and 13 floats interleaved, so both the six
 * integer and the eight vector argument registers run out. */
double many26(int8_t a0, double a1, uint16_t a2, float a3, int32_t a4, double a5,
              int64_t a6, float a7, uint8_t a8, double a9, int16_t a10, float a11,
              uint32_t a12, double a13, uint64_t a14, float a15, int64_t a16,
              double a17, int32_t a18, float a19, uint8_t a20, double a21,
              int8_t a22, float a23, uint16_t a24, double a25) {
  double v[26] = {a0,  a1,  a2,  a3,  a4,  a5,  (double)a6,  a7,  a8,
                  a9,  a10, a11, a12, a13, (double)a14, a15, (double)a16,
                  a17, a18, a19, a20, a21, a22, a23, a24, a25};
  double sum = 0;
  for (int i = 0; i < 26; i++) sum += (i + 1) * v[i];
  return sum;
}

/* Its argument number `which` (1-8) whole, as the callee finds its register
 * or stack slot: declared in a descriptor with narrower types, it shows how
 * the caller extended them (a1-a5 come in registers, a6-a8 on the stack). */
uint64_t pick_arg(uint32_t which, uint64_t a1, uint64_t a2, uint64_t a3,
                  uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7,
                  uint64_t a8) {
  uint64_t v[8] = {a1, a2, a3, a4, a5, a6, a7, a8};
  return which >= 1 && which <= 8 ? v[which - 1] : 0;
}

/* ---- pointers, buffers and function pointers --------------------------- */

bool is_null(const void *p) { return p == NULL; }

uint32_t buf_sum(const uint8_t *p, size_t n) {
  uint32_t s = 0;
  for (size_t i = 0; i < n; i++) s += p[i];
  return s;
}

void buf_fill(uint8_t *p, size_t n, uint8_t v) {
  for (size_t i = 0; i < n; i++) p[i] = v;
}

/* A buffer parameter handed back as a buffer result. */
const uint8_t *buf_offset(const uint8_t *p, size_t n) { return p + n; }

typedef int32_t (*binop)(int32_t, int32_t);
binop get_add_i32(void) { return add_i32; }
int32_t apply_binop(binop f, int32_t a, int32_t b) { return f(a, b); }

/* ---- structs by value, one per System V class -------------------------- */

typedef struct { int32_t x, y; } Pt;               /* 8: INTEGER */
typedef struct { float x, y; } F2;                 /* 8: SSE (two floats in one eightbyte) */
typedef struct { float a; int32_t b; double c; } IF; /* 16: INTEGER, SSE */
typedef struct { double d; int64_t l; } DL;        /* 16: SSE, INTEGER */
typedef struct { double a, b; } DD;                /* 16: SSE, SSE */
typedef struct { float a, b, c; } F3;              /* 12: SSE, SSE (4 bytes) */
typedef struct { uint8_t a, b, c; } Tiny;          /* 3: INTEGER, partial */
typedef struct { int64_t a, b, c; double d; } Big; /* 32: MEMORY */
typedef struct { int32_t a, b, c, d, e; } Odd;     /* 20: MEMORY, size not a multiple of 8 */
typedef struct {
  uint8_t tag;
  struct { float x, y; } in;
  uint16_t z;
} Nested; /* 16: INTEGER, INTEGER (a float shares each eightbyte with an integer) */
typedef struct {
  Pt p;
  struct {
    double d;
    struct { uint8_t b; } inner;
  } q;
} Deep; /* 24: MEMORY, three levels */

Pt make_pt(int32_t x, int32_t y) { return (Pt){x, y}; }
double sum_pt(Pt p) { return p.x + 2.0 * p.y; }
Pt swap_pt(Pt p) { return (Pt){p.y, p.x}; }

F2 make_f2(float x, float y) { return (F2){x, y}; }
double sum_f2(F2 p) { return p.x + 2.0 * p.y; }
F2 swap_f2(F2 p) { return (F2){p.y, p.x}; }

IF make_if(float a, int32_t b, double c) { return (IF){a, b, c}; }
double sum_if(IF s) { return s.a + 2.0 * s.b + 3.0 * s.c; }
IF twice_if(IF s) { return (IF){2 * s.a, 2 * s.b, 2 * s.c}; }

DL make_dl(double d, int64_t l) { return (DL){d, l}; }
double sum_dl(DL s) { return s.d + 2.0 * (double)s.l; }
DL twice_dl(DL s) { return (DL){2 * s.d, 2 * s.l}; }

DD make_dd(double a, double b) { return (DD){a, b}; }
double sum_dd(DD s) { return s.a + 2.0 * s.b; }
DD swap_dd(DD s) { return (DD){s.b, s.a}; }

F3 make_f3(float a, float b, float c) { return (F3){a, b, c}; }
double sum_f3(F3 s) { return s.a + 2.0 * s.b + 3.0 * s.c; }
F3 rotate_f3(F3 s) { return (F3){s.b, s.c, s.a}; }

Tiny make_tiny(uint8_t a, uint8_t b, uint8_t c) { return (Tiny){a, b, c}; }
uint32_t sum_tiny(Tiny t) { return t.a + 2u * t.b + 3u * t.c; }
Tiny rotate_tiny(Tiny t) { return (Tiny){t.b, t.c, t.a}; }

Big make_big(int64_t a, int64_t b, int64_t c, double d) { return (Big){a, b, c, d}; }
double sum_big(Big s) { return (double)s.a + 2.0 * (double)s.b + 3.0 * (double)s.c + 4.0 * s.d; }
Big twice_big(Big s) { return (Big){2 * s.a, 2 * s.b, 2 * s.c, 2 * s.d}; }

Odd make_odd(int32_t a, int32_t b, int32_t c, int32_t d, int32_t e) { return (Odd){a, b, c, d, e}; }
int64_t sum_odd(Odd s) { return s.a + 2LL * s.b + 3LL * s.c + 4LL * s.d + 5LL * s.e; }
Odd rotate_odd(Odd s) { return (Odd){s.b, s.c, s.d, s.e, s.a}; }

Nested make_nested(uint8_t tag, float x, float y, uint16_t z) {
  Nested n = {tag, {x, y}, z};
  return n;
}
double sum_nested(Nested n) { return n.tag + 2.0 * n.in.x + 3.0 * n.in.y + 4.0 * n.z; }

Deep make_deep(int32_t x, int32_t y, double d, uint8_t b) {
  Deep s = {{x, y}, {d, {b}}};
  return s;
}
double sum_deep(Deep s) { return s.p.x + 2.0 * s.p.y + 3.0 * s.q.d + 4.0 * s.q.inner.b; }

/* Padding the ABI leaves undefined, which these fill with 0xAB (built in
 * bytes, so the compiler keeps it): ffic must hand none of it to JS. */
typedef struct { uint8_t a; float b; double c; double d; uint64_t e; } PadMem; /* 32: MEMORY, 3 padding bytes */
typedef struct { uint8_t a; uint32_t b; } PadInt; /* 8: INTEGER, 3 padding bytes */
typedef struct { float a; double b; } PadSse;     /* 16: SSE with 4 padding bytes, SSE */

PadMem pad_mem(uint8_t a, uint64_t e) {
  union { PadMem s; uint8_t raw[sizeof(PadMem)]; } u;
  memset(u.raw, 0xAB, sizeof u.raw);
  memcpy(u.raw + offsetof(PadMem, a), &a, 1);
  float b = 1.5f;
  double c = 2.5, d = -1.0;
  memcpy(u.raw + offsetof(PadMem, b), &b, 4);
  memcpy(u.raw + offsetof(PadMem, c), &c, 8);
  memcpy(u.raw + offsetof(PadMem, d), &d, 8);
  memcpy(u.raw + offsetof(PadMem, e), &e, 8);
  return u.s;
}
PadInt pad_int(uint8_t a, uint32_t b) {
  union { PadInt s; uint8_t raw[sizeof(PadInt)]; } u;
  memset(u.raw, 0xAB, sizeof u.raw);
  memcpy(u.raw + offsetof(PadInt, a), &a, 1);
  memcpy(u.raw + offsetof(PadInt, b), &b, 4);
  return u.s;
}
PadSse pad_sse(float a, double b) {
  union { PadSse s; uint8_t raw[sizeof(PadSse)]; } u;
  memset(u.raw, 0xAB, sizeof u.raw);
  memcpy(u.raw + offsetof(PadSse, a), &a, 4);
  memcpy(u.raw + offsetof(PadSse, b), &b, 8);
  return u.s;
}
/* Calls `f` with a PadInt whose padding is garbage; returns what f returns. */
uint32_t give_pad_int(uint32_t (*f)(PadInt), uint8_t a, uint32_t b) { return f(pad_int(a, b)); }

/* Structs after the registers are used up: the whole struct must go on the
 * stack, never split between a register and the stack. */
double dl_after_ints(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, DL s, int64_t f) {
  return (double)(a + 2 * b + 3 * c + 4 * d + 5 * e) + 6.0 * s.d + 7.0 * (double)s.l + 8.0 * (double)f;
}
double dd_after_floats(double a, double b, double c, double d, double e, double f, double g,
                       DD s, double h) {
  return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * s.a + 9 * s.b + 10 * h;
}

/* ---- statics ------------------------------------------------------------ */

int32_t static_i32 = -42;
uint64_t static_u64 = UINT64_MAX;
double static_f64 = 3.5;
const char *static_str = "ffic";

/* ---- callbacks ---------------------------------------------------------- */

typedef int32_t (*i32_unary)(int32_t);
int32_t call_i32(i32_unary f, int32_t x) { return f(x) + 1; }
/* Calls f(0), f(1), ... f(n - 1) and sums the results: the per-callback
   cost with no JS-to-C call around each one (bench/calls.js). */
int64_t call_i32_loop(i32_unary f, int32_t n) {
  int64_t sum = 0;
  for (int32_t i = 0; i < n; i++) sum += f(i);
  return sum;
}

/* One argument of every scalar class; the result shows each was seen. */
typedef double (*mix_fn)(bool, int8_t, uint16_t, int32_t, int64_t, uint64_t, float, double, void *);
double call_mix(mix_fn f, void *p) {
  return f(true, -8, 65535, -2147483647 - 1, -(1LL << 62), UINT64_MAX, 1.5f, -0.25, p);
}
typedef uint64_t (*u64_fn)(uint64_t);
uint64_t call_u64(u64_fn f, uint64_t x) { return f(x); }
typedef int64_t (*i64_fn)(int64_t);
int64_t call_i64(i64_fn f, int64_t x) { return f(x); }
typedef bool (*bool_fn)(bool);
bool call_bool(bool_fn f, bool x) { return f(x); }
typedef float (*f32_fn)(float);
float call_f32(f32_fn f, float x) { return f(x); }
typedef void *(*ptr_fn)(void *);
void *call_ptr(ptr_fn f, void *x) { return f(x); }
typedef int8_t (*i8_fn)(int8_t);
int32_t call_i8(i8_fn f, int8_t x) { return f(x); }
typedef uint16_t (*u16_fn)(uint16_t);
uint32_t call_u16(u16_fn f, uint16_t x) { return f(x); }
typedef void (*void_fn)(void);
void call_void(void_fn f, uint32_t times) {
  for (uint32_t i = 0; i < times; i++) f();
}
typedef double (*pt_fn)(Pt);
double call_pt(pt_fn f, int32_t x, int32_t y) {
  Pt p = {x, y};
  return f(p);
}
typedef Pt (*make_pt_fn)(int32_t);
int32_t call_make_pt(make_pt_fn f, int32_t x) {
  Pt p = f(x);
  return p.x * 1000 + p.y;
}

static void sleep_ms(uint32_t ms) {
  struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

/* Calls `f(i)` for i in 0..n from a new thread, each after `ms` ms. */
typedef void (*u32_sink)(uint32_t);
typedef struct { u32_sink f; uint32_t n, ms; } Job;
static Job jobs[64];
static uint32_t next_job;
static uint32_t calls_returned;
static void *run_job(void *arg) {
  Job *job = arg;
  for (uint32_t i = 0; i < job->n; i++) {
    sleep_ms(job->ms);
    job->f(i);
    __atomic_fetch_add(&calls_returned, 1, __ATOMIC_SEQ_CST);
  }
  return NULL;
}
/* How many calls made by job threads have returned to them, so far. */
uint32_t thread_calls_returned(void) { return __atomic_load_n(&calls_returned, __ATOMIC_SEQ_CST); }
/* Detached: returns at once; the calls come later. */
bool call_on_thread(u32_sink f, uint32_t n, uint32_t ms) {
  Job *job = &jobs[__atomic_fetch_add(&next_job, 1, __ATOMIC_RELAXED) % 64];
  job->f = f;
  job->n = n;
  job->ms = ms;
  pthread_t t;
  if (pthread_create(&t, NULL, run_job, job) != 0) return false;
  return pthread_detach(t) == 0;
}
/* Joined: returns when the n calls are done (for nonblocking calls). */
uint32_t call_on_thread_join(u32_sink f, uint32_t n) {
  Job job = {f, n, 0};
  pthread_t t;
  if (pthread_create(&t, NULL, run_job, &job) != 0) return 0;
  pthread_join(t, NULL);
  return n;
}

/* ---- slow calls (for nonblocking) --------------------------------------- */

uint32_t sleep_then(uint32_t ms, uint32_t v) {
  sleep_ms(ms);
  return v;
}
/* Reads the buffer after sleeping: it must still be alive. */
uint32_t slow_buf_sum(const uint8_t *p, size_t n, uint32_t ms) {
  sleep_ms(ms);
  return buf_sum(p, n);
}

/* ---- C strings (ffic's `cstring`) ---------------------------------------- */

/* strlen, or SIZE_MAX for NULL: shows NULL arrived as NULL. */
size_t cstring_length(const char *s) { return s ? strlen(s) : SIZE_MAX; }
/* Its argument back (the caller's string stays alive for the call). */
const char *cstring_echo(const char *s) { return s; }
/* Bytes that are not UTF-8: a stray 0xFF and a truncated sequence. */
const char *cstring_invalid(void) {
  static const char bytes[] = {'a', (char)0xFF, 'b', (char)0xE2, (char)0x82, 'c', 0};
  return bytes;
}
/* Two strings around an integer: each C string lands in its place. */
int32_t cstring_compare(const char *a, int32_t n, const char *b) {
  int32_t c = strncmp(a, b, (size_t)n);
  return c < 0 ? -1 : c > 0;
}
/* A byte sum that sleeps first: the string must outlive a nonblocking call. */
uint32_t cstring_slow_sum(const char *s, uint32_t ms) {
  sleep_ms(ms);
  uint32_t sum = 0;
  for (; *s; s++) sum += (unsigned char)*s;
  return sum;
}

/* ---- errno ---------------------------------------------------------------- */

/* Fails as libc does: sets errno to e and returns -1. */
int32_t fail_with_errno(int32_t e) {
  errno = e;
  return -1;
}

/* ---- variadic functions ----------------------------------------------------- */

/* Sums its variadic arguments, read with va_arg as `types` says: 'i' int,
   'l' long long, 'd' double, 's' a string's length, 'p' 1 for a non-NULL
   pointer. More than 8 doubles or 5 integers spill to the stack. */
double va_sum(const char *types, ...) {
  va_list ap;
  va_start(ap, types);
  double sum = 0;
  for (const char *t = types; *t; t++) {
    switch (*t) {
      case 'i': sum += va_arg(ap, int); break;
      case 'l': sum += (double)va_arg(ap, long long); break;
      case 'd': sum += va_arg(ap, double); break;
      case 's': sum += (double)strlen(va_arg(ap, const char *)); break;
      case 'p': sum += va_arg(ap, void *) != NULL; break;
      default: break;
    }
  }
  va_end(ap);
  return sum;
}
