/* store.h: the Redis script that stores eas-publish's lines (lib/store.lua, embedded at build
 * time by the Makefile as build/gen/store_lua.c). */
#ifndef EAS_STORE_H
#define EAS_STORE_H

/* The text of lib/store.lua, NUL-terminated, for SCRIPT LOAD.  Its calling
 * convention (KEYS and ARGV of the 'lines' and 'status' operations) is the
 * comment at the top of lib/store.lua; every key it gets comes from lib/keys. */
extern const char eas_store_lua[];

#endif
