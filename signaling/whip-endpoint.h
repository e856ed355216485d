/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <libsoup/soup.h>

#include "room-handler.h"

G_BEGIN_DECLS
/* WHIP (RFC 9725) and WHEP endpoints on the room server: POST
 * /whip/<room> and /whep/<room> turn an HTTP session into a virtual room
 * peer whose offer, answer and candidates are relayed as room signals to
 * the member that opted in (`"whip": true` / `"whep": true` in its join
 * meta). No media passes through the server. docs/protocol.md "WHIP and
 * WHEP endpoints" has the exact flow. */
typedef struct _WrWhipEndpoint WrWhipEndpoint;

/* Carries out actions of the room handler (the server's glue) */
typedef void (*WrWhipRunActions) (GArray * actions, gpointer user_data);

typedef struct
{
  GBytes *join_secret;          /* NULL: no Bearer token required */
  gint64 answer_timeout_us;     /* bound on the wait for the answer */
  /* how long a session stays once its member reported the connection
   * to the client dead (a `restart` offer); 0: a default */
  gint64 idle_timeout_us;
  guint max_sessions;           /* 0: a default */
} WrWhipConfig;

/* Adds the /whip and /whep handlers to @soup */
WrWhipEndpoint *wr_whip_endpoint_new (SoupServer * soup,
    WrRoomHandler * handler, const WrWhipConfig * config,
    WrWhipRunActions run_actions, gpointer user_data);

/* Takes @action when it is addressed to one of our virtual peers; FALSE
 * when the action belongs to another connection */
gboolean wr_whip_endpoint_deliver (WrWhipEndpoint * endpoint,
    const WrAction * action);

guint wr_whip_endpoint_get_n_sessions (WrWhipEndpoint * endpoint);

/* Ends every session (their virtual peers leave), then frees */
void wr_whip_endpoint_free (WrWhipEndpoint * endpoint);

G_END_DECLS
