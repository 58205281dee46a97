/*
 * stats.c — see stats.h. One statement: every figure is a scoped sub-select.
 */
#include "core/stats.h"

#include <string.h>

#include "core/agreement.h"
#include "core/dossier.h"
#include "core/liaison.h"
#include "core/listq.h"
#include "store/scope.h"

/* Organisations by kind: district-wide from the trigger-maintained counters, otherwise an index
 * range scan of the subtree (orgs_path_kind) — or, for committee members, their area's subtrees. */
#define OBK_ALL "SELECT kind AS k, n FROM org_counts WHERE n > 0"
#define OBK_SCOPED(scope) "SELECT o.kind AS k, count(*) AS n FROM orgs o WHERE " scope " GROUP BY o.kind"
#define STATS_SQL(obk)                                                                              \
    "WITH obk AS (SELECT coalesce((SELECT json_group_object(k, n) FROM (" obk ")), '{}') AS j)"       \
    " SELECT json_object("                                                                          \
    " 'areas', (SELECT count(*) FROM areas a WHERE " SCOPE_AREA("a") "),"                            \
    " 'committees', (SELECT count(*) FROM areas a WHERE " SCOPE_AREA("a") " AND a.committee_name <> ''),"\
    " 'member_orgs', (SELECT json_group_object(k, n) FROM (SELECT o.kind AS k, count(DISTINCT o.id) AS n" \
    "   FROM area_members m CROSS JOIN orgs o ON o.id = m.org_id WHERE " SCOPE_ORG("o") " GROUP BY o.kind)),"   \
    " 'orgs_by_kind', json(obk.j),"                                                                \
    " 'agreements', json_object('total', (SELECT count(*) FROM agreements g WHERE " AG_SCOPE "),"        \
    "   'active', (SELECT count(*) FROM agreements g WHERE " AG_SCOPE                                 \
    "     AND date('now', '+8 hours') BETWEEN g.term_start AND g.term_end)),"                          \
    " 'liaisons', json_object('total', (SELECT count(*) FROM liaisons l LEFT JOIN users u ON u.id = l.user_id" \
    "     WHERE " LI_SCOPE "),"                                                                        \
    "   'by_kind', (SELECT json_group_object(k, n) FROM (SELECT l.kind AS k, count(*) AS n FROM liaisons l" \
    "     LEFT JOIN users u ON u.id = l.user_id WHERE " LI_SCOPE " GROUP BY l.kind))),"                  \
    " 'enterprises', coalesce(json_extract(obk.j, '$.enterprise'), 0),"                              \
    " 'parks', coalesce(json_extract(obk.j, '$.park'), 0),"                                          \
    " 'users', (SELECT count(*) FROM users u JOIN orgs o ON o.id = u.org_id WHERE " SCOPE_ORG("o") "),"   \
    " 'matters', json(?4))"                                                                        \
    " FROM obk"

Rc stats_overview(Db *db, const Actor *a, Buf *out, Fail *f) {
    const char *sql = strcmp(a->scope_lo, "/") == 0 ? STATS_SQL(OBK_ALL)
                      : scope_plain(a)              ? STATS_SQL(OBK_SCOPED(SCOPE_ORG_RANGE("o")))
                                                    : STATS_SQL(OBK_SCOPED(SCOPE_ORG("o")));
    /* Matters (dossiers and meetings) for the roles that work on them. */
    Buf matters = BUF_INIT;
    Rc r = RC_OK;
    if (a->caps & CAP_DOSSIER_READ) r = dossier_figures(db, a, &matters, f);
    if (r == RC_OK) r = listq_one(db, f, out, sql, SCOPE_FMT "t", SCOPE_ARGS(a), matters.len ? buf_str(&matters) : NULL);
    buf_free(&matters);
    return r;
}
