/* notify.c: eas-publish's systemd notifications through libsystemd's sd_notify (see notify.h). */
#include "notify.h"

#include <systemd/sd-daemon.h>

#include "log.h"

static bool sent_ready, last_up;
static int64_t last_ping = -1000000;

void notify_ready(bool up)
{
	if (sent_ready && up == last_up)
		return;
	int r = sd_notifyf(0, "%sSTATUS=%s", sent_ready ? "" : "READY=1\n",
	                   up ? "connected to Redis" : "spooling, Redis unreachable");
	if (r < 0)
		log_debug("sd_notify: error %d", r);
	sent_ready = true;
	last_up = up;
}

void notify_alive(int64_t now_ms)
{
	if (now_ms - last_ping < 500)
		return;
	last_ping = now_ms;
	sd_notify(0, "WATCHDOG=1");
}

void notify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}
