/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS
/* At most this many ICE servers are taken from one response, and a
 * header value, URL, username or credential longer than these limits is
 * skipped (a warning each) */
#define GST_WEBRTC_ROOM_MAX_LINK_ICE_SERVERS 16
#define GST_WEBRTC_ROOM_MAX_LINK_HEADER_BYTES (16 * 1024)
#define GST_WEBRTC_ROOM_MAX_LINK_VALUE_BYTES 512

/* The ICE servers of the `Link: <url>; rel="ice-server"` values of a WHIP
 * or WHEP response (RFC 9725 section 4.6, RFC 8288 syntax: one or several
 * Link headers, comma-separated values, quoted attributes) as iceServers
 * entries like the room server's welcome has them: `{"urls": [url]}`,
 * plus `username` and `credential` for TURN. Links of another rel are
 * ignored; a malformed link, a URL other than stun(s):/turn(s):, a TURN
 * URL without a username and a password credential, or anything over the
 * limits is skipped with a line added to @warnings (gchar *, nullable).
 * @value is the field value, several headers joined by ", " (NULL: none).
 * Returns: (transfer full): the servers, empty when there are none */
JsonArray *gst_webrtc_room_ice_servers_from_links (const gchar * value,
    GPtrArray * warnings);

G_END_DECLS
