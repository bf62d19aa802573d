/* Every construct `ffic import` meets, for tests/import.rs: what maps and
   how, and what is refused and why. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/**
 * Adds two ints.
 *
 *   Indented lines keep their indentation.
 */
int add(int a, int b);

/* Every integer width, with the C ABI's `long`. */
int8_t i8_id(int8_t x);
uint8_t u8_id(uint8_t x);
short i16_id(short x);
unsigned short u16_id(unsigned short x);
unsigned u32_id(unsigned x);
long long_id(long x);
unsigned long ulong_id(unsigned long x);
long long llong_id(long long x);
uint64_t u64_id(uint64_t x);
/// Sizes and addresses: usize and isize.
size_t sizes(size_t n, ssize_t s, intptr_t ip, uintptr_t up, ptrdiff_t d);
bool flag(bool b);
float f32_id(float f);
double f64_id(double d);
char char_id(char c);
signed char schar_id(signed char c);
unsigned char uchar_id(unsigned char c);

/* Pointers: to pointers, C strings, buffers, functions. */
void **pointer_to_pointer(void **p);
void fill(int *out, size_t n, const double *in, long *counts);
const char *greeting(const char *name, char *out, unsigned char *bytes, const void *data);
typedef int myint;
typedef myint myint2;
myint2 typedef_chain(myint2 x);
typedef int (*callback_t)(int value);
int apply(callback_t f, int x);
int apply_inline(int (*f)(int), int x);

/* Structs by value: nested, anonymous, with a fixed array. */
struct point {
  int x;
  int y;
};
struct point midpoint(struct point a, struct point b);
typedef struct {
  struct point at;
  double weight;
  char tag[3];
  struct {
    short a;
    short b;
  } pair;
} weighted;
weighted weigh(weighted w);

/* Structs a descriptor would lay out differently, unions, bit-fields. */
struct __attribute__((packed)) packed {
  char c;
  int i;
};
struct packed packed_id(struct packed p);
struct aligned {
  int x;
} __attribute__((aligned(16)));
struct aligned aligned_id(struct aligned a);
union either {
  int i;
  float f;
};
union either union_id(union either e);
struct bits {
  int a : 3;
  int b : 5;
};
int bits_sum(struct bits b);
struct opaque;
struct opaque *opaque_new(void);
void opaque_free(struct opaque *o);
int opaque_by_value(struct opaque o);
struct flexible {
  int n;
  int items[];
};
int flexible_first(struct flexible f);

/* Other types a descriptor cannot say. */
long double long_double_id(long double x);
__int128 int128_id(__int128 x);

/* Enums pass as their integer type. */
enum color { RED = -1, GREEN = 0, BLUE = 0x7fffffff };
enum color paint(enum color c);
enum big { HUGE_VALUE = 0xffffffffffu };
enum big bigger(enum big b);

/* Variadic: the fixed part, its call shapes chosen where it is called. */
int format(char *out, size_t size, const char *fmt, ...);

/* Not symbols of the library, or not bindable. */
static inline int helper(int x) { return x; }
int no_prototype();
int reserved_names(int new, int function, int);
int add(int a, int b);

/* Typedef names of tagged structs, after and before the definition. */
typedef struct point point_t;
typedef struct span span_t;
struct span {
  point_t from;
  point_t to;
};
span_t span_of(point_t from, point_t to);

/* Macros that are constants, and some that are not. */
#define MAX_THINGS 16
#define NAME_TEXT "constructs"
#define MASK (1u << 31)
#define NEGATIVE (-42)
#define DERIVED (MAX_THINGS * 2 + NEGATIVE)
#define HALF 0.5
#define ALL_BITS 0xffffffffffffffffull
#define NOT_A_VALUE int
#define EMPTY
#define FUNCTION_LIKE(x) (x)
