/*
** inflate.c: the two inflaters behind inflate.h. Each call hands at most
** 1 GiB at a time to the library (their counts are 32-bit).
*/
#define _POSIX_C_SOURCE 200809L   /* getenv */
#include "inflate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#ifdef TM_ISAL
#include <isa-l/igzip_lib.h>
#endif

#define INF_CHUNK (1u << 30)

struct tm_inflate {
  int isal;                  /* which one runs */
  z_stream zs;               /* initialised when zlib runs */
#ifdef TM_ISAL
  struct inflate_state is;
#endif
};

/* zlib's message for a bad stream, in the words both inflaters share. */
static const char *inf_zlib_why(const z_stream *zs) {
  const char *m = zs->msg ? zs->msg : "";
  if (strstr(m, "header") || strstr(m, "method") || strstr(m, "flags"))
    return "bad header";
  if (strstr(m, "check")) return "checksum mismatch";
  return "invalid deflate data";
}

/* One step of zlib. */
static int inf_zlib(tm_inflate *z, const unsigned char **in, size_t *nin,
                    unsigned char **out, size_t *nout, const char **why) {
  uInt ain = (uInt)(*nin < INF_CHUNK ? *nin : INF_CHUNK);
  uInt aout = (uInt)(*nout < INF_CHUNK ? *nout : INF_CHUNK);
  z->zs.next_in = (unsigned char *)*in;
  z->zs.avail_in = ain;
  z->zs.next_out = *out;
  z->zs.avail_out = aout;
  int rc = inflate(&z->zs, Z_NO_FLUSH);
  *in += ain - z->zs.avail_in;
  *nin -= ain - z->zs.avail_in;
  *out += aout - z->zs.avail_out;
  *nout -= aout - z->zs.avail_out;
  if (rc == Z_STREAM_END) return TM_INF_END;
  if (rc == Z_OK || rc == Z_BUF_ERROR) return TM_INF_OK;
  *why = rc == Z_MEM_ERROR ? "out of memory" : inf_zlib_why(&z->zs);
  return TM_INF_ERROR;
}

#ifdef TM_ISAL
/* ISA-L's code for a bad stream, in the words both inflaters share. */
static const char *inf_isal_why(int rc) {
  if (rc == ISAL_INVALID_WRAPPER || rc == ISAL_UNSUPPORTED_METHOD) return "bad header";
  if (rc == ISAL_INCORRECT_CHECKSUM) return "checksum mismatch";
  return "invalid deflate data";
}

/* One step of ISA-L's igzip. */
static int inf_isal(tm_inflate *z, const unsigned char **in, size_t *nin,
                    unsigned char **out, size_t *nout, const char **why) {
  uint32_t ain = (uint32_t)(*nin < INF_CHUNK ? *nin : INF_CHUNK);
  uint32_t aout = (uint32_t)(*nout < INF_CHUNK ? *nout : INF_CHUNK);
  z->is.next_in = (uint8_t *)*in;
  z->is.avail_in = ain;
  z->is.next_out = *out;
  z->is.avail_out = aout;
  int rc = isal_inflate(&z->is);
  *in += ain - z->is.avail_in;
  *nin -= ain - z->is.avail_in;
  *out += aout - z->is.avail_out;
  *nout -= aout - z->is.avail_out;
  if (rc < 0) {
    *why = inf_isal_why(rc);
    return TM_INF_ERROR;
  }
  return z->is.block_state == ISAL_BLOCK_FINISH ? TM_INF_END : TM_INF_OK;
}
#endif

tm_inflate *tm_inflate_new(void) {
  tm_inflate *z = calloc(1, sizeof *z);
  if (!z) return NULL;
#ifdef TM_ISAL
  const char *choice = getenv("TM_INFLATE");
  z->isal = !choice || strcmp(choice, "zlib") != 0;
#endif
  if (!z->isal) {
    if (inflateInit2(&z->zs, 15 + 16) != Z_OK) {   /* gzip wrapper only */
      free(z);
      return NULL;
    }
  }
  if (tm_inflate_reset(z)) {
    tm_inflate_free(z);
    return NULL;
  }
  return z;
}

int tm_inflate_reset(tm_inflate *z) {
#ifdef TM_ISAL
  if (z->isal) {
    isal_inflate_init(&z->is);
    z->is.crc_flag = ISAL_GZIP;   /* parse the header, check crc and size */
    return 0;
  }
#endif
  return inflateReset(&z->zs) == Z_OK ? 0 : -1;
}

int tm_inflate_run(tm_inflate *z, const unsigned char **in, size_t *nin,
                   unsigned char **out, size_t *nout, const char **why) {
#ifdef TM_ISAL
  if (z->isal) return inf_isal(z, in, nin, out, nout, why);
#endif
  return inf_zlib(z, in, nin, out, nout, why);
}

void tm_inflate_free(tm_inflate *z) {
  if (!z) return;
  if (!z->isal) inflateEnd(&z->zs);
  free(z);
}
