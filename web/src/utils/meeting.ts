// Meetings (1+N 联席会议): who runs them, as the server decides (core/meeting.c
// may_run): a district leader any meeting, a committee the meetings of its own
// area. The UI uses this only to show or hide buttons; the server checks again.
import type { User } from '../stores/session'

/** The user may hold / update / close meetings of `areaId` (any area when null). */
export function canRunMeetings(user: User | null | undefined, areaId: number | null | undefined): boolean {
  if (!user) return false
  if (user.role === 'leader') return true
  if (user.role === 'committee') return areaId === null || areaId === undefined || user.area_id === areaId
  return false
}

/** A meeting item's progress: done (written off / closed), carried to a later meeting, or open. */
export function itemDone(item: { closed_on?: string | null }): boolean {
  return !!item.closed_on
}
