/* fields.h: the member names of eas-ctl's command and reply messages (DESIGN.md). */
#ifndef EAS_CTL_FIELDS_H
#define EAS_CTL_FIELDS_H

#define CTL_F_ID        "command_id"
#define CTL_F_COMMAND   "command"
#define CTL_F_SOURCE    "source"
#define CTL_F_PARAMS    "params"
#define CTL_F_TIMESTAMP "timestamp"
#define CTL_F_SEQ       "seq"
#define CTL_F_SENDER    "sender"
#define CTL_F_TO        "to"
#define CTL_F_SIG       "sig"
#define CTL_F_LISTENER  "listener"
#define CTL_F_SUCCESS   "success"
#define CTL_F_MESSAGE   "message"
#define CTL_F_EXIT_CODE "exit_code"
/* A source's config in the sources hash. */
#define CTL_F_NAME    "name"
#define CTL_F_INPUT   "input"
#define CTL_F_RATE    "rate"
#define CTL_F_OPTIONS "options"

#endif
