/*
** transmog.c: the extension's entry point.
**
**   .load ./transmog
**   SELECT transmog_version();
**
** Registers every module and function of ext/. Everything that reads files
** is direct-only: a view or trigger in a database someone else wrote cannot
** use it to read files (only a TEMP view can).
*/
#include <stddef.h>

#include "transmog.h"

SQLITE_EXTENSION_INIT1

/* transmog_version(): the extension's version string. */
static void version_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  (void)argv;
  sqlite3_result_text(ctx, TM_VERSION, -1, SQLITE_STATIC);
}

#ifdef _WIN32
__declspec(dllexport)
#endif
    int sqlite3_transmog_init(sqlite3 *db, char **pzErrMsg,
                              const sqlite3_api_routines *pApi) {
  SQLITE_EXTENSION_INIT2(pApi);
  (void)pzErrMsg;
  int rc = sqlite3_create_function(db, "transmog_version", 0,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                   NULL, version_func, NULL, NULL);
  if (rc == SQLITE_OK) rc = tm_each_register(db);
  if (rc == SQLITE_OK) rc = tm_badrecords_register(db);
  if (rc == SQLITE_OK) rc = tm_table_register(db);
  if (rc == SQLITE_OK) rc = tm_catalog_register(db);
  if (rc == SQLITE_OK) rc = tm_export_register(db);
  return rc;
}
