/*
 * dclock.h — time limits of dossiers on the working-day clock: when a limit that starts on a day
 * turns yellow and when it falls due. A thin layer over core/clock.h so that the engine asks one
 * question: "a limit of N working days starting on D".
 */
#ifndef SANQU_CORE_DCLOCK_H
#define SANQU_CORE_DCLOCK_H

#include <stdbool.h>

struct Calendar;

/* Uses cal for every later computation (not owned; NULL: weekends only, every year unknown). */
void dclock_set(const struct Calendar *cal);

/* For a limit of days working days starting on since (YYYY-MM-DD): due receives the last day of
 * the limit (the days-th working day after since) and warn the first day it shows yellow (80% of
 * the limit elapsed, or one working day left). *unknown_year receives a year the computation
 * crossed without a calendar (0 when none). False when since is not a date or days < 1. */
bool dclock_limit(const char *since, int days, char warn[11], char due[11], int *unknown_year);

#endif
