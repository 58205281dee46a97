/*
 * stats.c — see stats.h. One statement: every figure is a scoped sub-select.
 */
#include "core/stats.h"

#include "core/agreement.h"
#include "core/liaison.h"
#include "core/listq.h"
#include "store/scope.h"

Rc stats_overview(Db *db, const Actor *a, Buf *out, Fail *f) {
    return listq_one(
        db, f, out,
        "SELECT json_object("
        " 'areas', (SELECT count(*) FROM areas a WHERE " SCOPE_AREA("a") "),"
        " 'committees', (SELECT count(*) FROM areas a WHERE " SCOPE_AREA("a") " AND a.committee_name <> ''),"
        " 'member_orgs', (SELECT json_group_object(k, n) FROM (SELECT o.kind AS k, count(DISTINCT o.id) AS n"
        "   FROM area_members m JOIN orgs o ON o.id = m.org_id WHERE " SCOPE_ORG("o") " GROUP BY o.kind)),"
        " 'orgs_by_kind', (SELECT json_group_object(k, n) FROM (SELECT o.kind AS k, count(*) AS n FROM orgs o"
        "   WHERE " SCOPE_ORG("o") " GROUP BY o.kind)),"
        " 'agreements', json_object('total', (SELECT count(*) FROM agreements g WHERE " AG_SCOPE "),"
        "   'active', (SELECT count(*) FROM agreements g WHERE " AG_SCOPE
        "     AND date('now', '+8 hours') BETWEEN g.term_start AND g.term_end)),"
        " 'liaisons', json_object('total', (SELECT count(*) FROM liaisons l LEFT JOIN users u ON u.id = l.user_id"
        "     WHERE " LI_SCOPE "),"
        "   'by_kind', (SELECT json_group_object(k, n) FROM (SELECT l.kind AS k, count(*) AS n FROM liaisons l"
        "     LEFT JOIN users u ON u.id = l.user_id WHERE " LI_SCOPE " GROUP BY l.kind))),"
        " 'enterprises', (SELECT count(*) FROM orgs o WHERE " SCOPE_ORG("o") " AND o.kind = 'enterprise'),"
        " 'parks', (SELECT count(*) FROM orgs o WHERE " SCOPE_ORG("o") " AND o.kind = 'park'),"
        " 'users', (SELECT count(*) FROM users u JOIN orgs o ON o.id = u.org_id WHERE " SCOPE_ORG("o") "))",
        SCOPE_FMT, SCOPE_ARGS(a));
}
