/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The room protocol v1 codec: the only place that knows wire names. */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS
/* Shared by the envelope codec (protocol.c) and the signal-payload codec
 * (payload.c); not installed. */
/* Sets a GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE error; returns FALSE */
    gboolean gst_webrtc_room_json_bad_message (GError ** error,
    const gchar * format, ...)
G_GNUC_PRINTF (2, 3);

/* Reads one field, NULL/absent allowed where @optional, and sets a
 * bad-message error naming the field otherwise */
     gboolean gst_webrtc_room_json_read_string (JsonObject * obj,
    const gchar * field, gboolean optional, gchar ** out, GError ** error);
     gboolean gst_webrtc_room_json_read_bool (JsonObject * obj,
    const gchar * field, gboolean * out, GError ** error);

/* Typed lookups of one member of @obj (which may be NULL) for the
 * signallers' own JSON (Janus, WHIP): NULL / FALSE when it is absent or of
 * another JSON type. Everything from the network goes through a type check. */
     const gchar *gst_webrtc_room_json_get_string (JsonObject * obj,
    const gchar * name);
     gboolean gst_webrtc_room_json_get_int (JsonObject * obj,
    const gchar * name, gint64 * out);
     JsonObject *gst_webrtc_room_json_get_object (JsonObject * obj,
    const gchar * name);
     JsonArray *gst_webrtc_room_json_get_array (JsonObject * obj,
    const gchar * name);

/* Parses @text after the strict pre-scan (UTF-8, no NUL, syntax, depth,
 * lone surrogates, finite in-range numbers) */
     JsonNode *gst_webrtc_room_json_parse_strict (const gchar * text, gsize len,
    GError ** error);

G_END_DECLS
