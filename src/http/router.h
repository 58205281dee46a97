/*
 * router.h — matching a method and path against the route table. Patterns are literal segments and
 * {name} parameters (one segment each); the table is searched in order.
 */
#ifndef SANQU_HTTP_ROUTER_H
#define SANQU_HTTP_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "http/req.h"

extern const Route routes[];
extern const int routes_count;

/* Finds the route for method and path in table (n rows). On a match, copies the path parameters
 * into params/parambuf and returns the route. Without a match returns NULL and sets *path_known
 * when some other method serves the path, writing the allowed methods (comma-separated) into
 * allow. HEAD matches GET routes. */
const Route *router_match(const Route *table, int n, const char *method, const char *path,
                          char **params, int *nparams, char *parambuf, size_t parambufsz,
                          bool *path_known, char *allow, size_t allowsz);

/* Writes the route table as text (for `sanqu routes`) into stdout. */
void router_print(const Route *table, int n);
/* The same as a Markdown table (docs/api.md). */
void router_print_markdown(const Route *table, int n);

#endif
