/*
 * test_match.c — the ranking of resources for needs (core/match.c): the text features (CJK
 * bigrams, Latin words, de-duplicated, sorted), each part of the score, the rules of who is
 * suggested, and that equal inputs give equal answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core/match.h"

static bool has_term(const MatchText *t, const char *s) {
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->terms[i], s) == 0) return true;
    return false;
}

static void test_bigrams_and_words(void **state) {
    (void)state;
    MatchText t;
    assert_true(match_text("老人助餐，老人助餐 WiFi 2G a", &t));
    /* 老人 人助 助餐 (the comma separates; repeats counted once), wifi, 2g; "a" is too short. */
    assert_true(has_term(&t, "老人"));
    assert_true(has_term(&t, "人助"));
    assert_true(has_term(&t, "助餐"));
    assert_true(has_term(&t, "wifi"));
    assert_true(has_term(&t, "2g"));
    assert_false(has_term(&t, "餐老"));
    assert_false(has_term(&t, "a"));
    assert_int_equal(t.n, 5);
    for (size_t i = 1; i < t.n; i++) assert_true(strcmp(t.terms[i - 1], t.terms[i]) < 0);
    match_text_free(&t);
    assert_true(match_text("", &t));
    assert_int_equal(t.n, 0);
    match_text_free(&t);
    assert_true(match_text(NULL, &t));
    assert_int_equal(t.n, 0);
    match_text_free(&t);
    /* A truncated UTF-8 sequence at the end does not run past it. */
    assert_true(match_text("路灯\xe8", &t));
    assert_true(has_term(&t, "路灯"));
    match_text_free(&t);
}

static void test_score_parts(void **state) {
    (void)state;
    MatchText need, res, other;
    assert_true(match_text("小区路灯损坏维修", &need));
    assert_true(match_text("路灯维修更换", &res));
    assert_true(match_text("心理健康咨询", &other));
    MatchScore s;
    match_score(&need, &res, true, true, 50, 100, true, &s);
    assert_int_equal(s.category, MATCH_CATEGORY);
    assert_int_equal(s.area, MATCH_AREA);
    assert_int_equal(s.capacity, 5); /* 10 × 50/100 */
    /* need: 小区 区路 路灯 灯损 损坏 坏维 维修 (7); res: 路灯 灯维 维修 修更 更换 (5); shared 路灯 维修:
     * Dice 2×2/12 → 25 × 0.333 = 8.3 → 8. */
    assert_int_equal(s.shared, 2);
    assert_int_equal(s.text, 8);
    assert_int_equal(s.total, 40 + 25 + 5 + 8);
    assert_true(s.eligible);
    assert_string_equal(s.shared_terms[0], "维修");
    assert_string_equal(s.shared_terms[1], "路灯");
    /* No category, no shared words: not suggested, whatever the area and capacity. */
    match_score(&need, &other, false, true, 100, 100, true, &s);
    assert_int_equal(s.text, 0);
    assert_false(s.eligible);
    /* Shared words alone make it eligible. */
    match_score(&need, &res, false, false, 1, 100, true, &s);
    assert_true(s.eligible);
    assert_int_equal(s.total, s.text + s.capacity);
    /* Nothing left, or not valid: never suggested. */
    match_score(&need, &res, true, true, 0, 100, true, &s);
    assert_false(s.eligible);
    assert_int_equal(s.capacity, 0);
    match_score(&need, &res, true, true, 10, 100, false, &s);
    assert_false(s.eligible);
    /* Identical texts score the full text part. */
    match_score(&res, &res, false, false, 100, 100, true, &s);
    assert_int_equal(s.text, MATCH_TEXT);
    assert_int_equal(s.capacity, MATCH_CAPACITY);
    match_text_free(&need);
    match_text_free(&res);
    match_text_free(&other);
}

static void test_capacity_points_round(void **state) {
    (void)state;
    MatchText a, b;
    assert_true(match_text("养老", &a));
    assert_true(match_text("养老", &b));
    MatchScore s;
    match_score(&a, &b, true, false, 1, 3, true, &s); /* 3.33 → 3 */
    assert_int_equal(s.capacity, 3);
    match_score(&a, &b, true, false, 2, 3, true, &s); /* 6.67 → 7 */
    assert_int_equal(s.capacity, 7);
    match_score(&a, &b, true, false, 5, 0, true, &s); /* no capacity declared */
    assert_int_equal(s.capacity, 0);
    match_text_free(&a);
    match_text_free(&b);
}

static void test_deterministic(void **state) {
    (void)state;
    MatchText a, b;
    assert_true(match_text("社区四点半课堂托管", &a));
    assert_true(match_text("四点半课堂师资", &b));
    MatchScore s1, s2;
    match_score(&a, &b, true, true, 7, 9, true, &s1);
    match_score(&a, &b, true, true, 7, 9, true, &s2);
    assert_int_equal(s1.total, s2.total);
    assert_int_equal(s1.shared, s2.shared);
    for (int i = 0; i < s1.shared && i < MATCH_MAX_SHARED; i++) assert_string_equal(s1.shared_terms[i], s2.shared_terms[i]);
    assert_true(s1.total <= 100);
    match_text_free(&a);
    match_text_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bigrams_and_words),
        cmocka_unit_test(test_score_parts),
        cmocka_unit_test(test_capacity_points_round),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
