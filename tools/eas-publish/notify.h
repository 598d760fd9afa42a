/* notify.h: eas-publish's systemd service notifications (sd_notify): READY, WATCHDOG, STOPPING. */
#ifndef EAS_PUBLISH_NOTIFY_H
#define EAS_PUBLISH_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The service manager's view of eas-publish, for a Type=notify unit with
 * NotifyAccess=all and WatchdogSec= (sd_notify(3), systemd.service(5)).
 * Every call does nothing when $NOTIFY_SOCKET is unset (libsystemd's rule),
 * so outside systemd they cost a getenv.
 *
 * notify_ready: call on every turn of the loop with UP = Redis connected.
 * The first call sends READY=1 and a STATUS= line saying whether it is
 * connected or spooling (either way lines are safe from then on); later calls
 * send a new STATUS= when UP changes.
 */
void notify_ready(bool up);

/*
 * notify_alive: call when a status line arrived from the decoder (NOW_MS
 * monotonic).  Sends WATCHDOG=1, at most twice a second: the watchdog is fed
 * only while status lines keep coming, so a capture or decoder that hangs
 * without exiting starves it and systemd restarts the unit.
 */
void notify_alive(int64_t now_ms);

/* notify_stopping: STOPPING=1, once, when the loop ends. */
void notify_stopping(void);

#endif
