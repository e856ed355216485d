/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef void (*GstWebRTCRoomContextFunc) (gpointer self, gpointer data);

/* For signaller implementations: runs @func (@self, @data) with @context
 * owned by the calling thread (directly, or from the thread dispatching
 * @context, waiting for it). No callback attached to @context runs
 * concurrently with @func. */
void gst_webrtc_room_signaller_run_in_context (gpointer self,
    GMainContext * context, GstWebRTCRoomContextFunc func, gpointer data);

/* For signaller implementations: a libsoup session whose https:// and
 * wss:// connections trust the CAs of @ca_file (PEM; NULL or "": the
 * system's), requests bounded by @timeout_s (0: none). NULL and @error
 * when @ca_file cannot be read. */
SoupSession *gst_webrtc_room_signaller_new_session (const gchar * ca_file,
    guint timeout_s, GError ** error);

/* Makes @msg accept any server certificate (the tls-insecure opt-in) */
void gst_webrtc_room_signaller_accept_any_certificate (SoupMessage * msg);

G_END_DECLS
