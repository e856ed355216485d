/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>
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

/* For signaller implementations: the callback data of a signaller's
 * sources and async operations. It holds @object weakly, with the value
 * the guint at @generation (a field of @object, owned by its context) had
 * at creation: once @object is gone, or has stopped or restarted since
 * (the field moved on), gst_webrtc_room_pending_get() gives NULL and the
 * callback does nothing. */
typedef struct _GstWebRTCRoomPending GstWebRTCRoomPending;

GstWebRTCRoomPending *gst_webrtc_room_pending_new (gpointer object,
    const guint * generation);
void gst_webrtc_room_pending_free (gpointer pending);
/* (transfer full) (nullable): the object, if still current; call it from
 * the object's context */
gpointer gst_webrtc_room_pending_get (GstWebRTCRoomPending * pending);

typedef void (*GstWebRTCRoomRouteFunc) (gpointer owner, const gchar * to,
    JsonObject * data);

/* For signaller implementations: the signals send() is given, from any
 * thread, handed in order to @route (@owner, to, data) in the signaller's
 * context. Closed until opened: what is pushed while closed, or past @max
 * queued, is dropped. @owner (a GObject; a pending flush holds it only
 * weakly) frees the queue when it is finalized, not before. */
typedef struct _GstWebRTCRoomSendQueue GstWebRTCRoomSendQueue;

GstWebRTCRoomSendQueue *gst_webrtc_room_send_queue_new (gpointer owner,
    GstWebRTCRoomRouteFunc route, guint max);
void gst_webrtc_room_send_queue_free (GstWebRTCRoomSendQueue * queue);
/* accepts signals, routed from @context */
void gst_webrtc_room_send_queue_open (GstWebRTCRoomSendQueue * queue,
    GMainContext * context);
/* drops what is queued and refuses what comes */
void gst_webrtc_room_send_queue_close (GstWebRTCRoomSendQueue * queue);
/* FALSE when dropped (closed or full) */
gboolean gst_webrtc_room_send_queue_push (GstWebRTCRoomSendQueue * queue,
    const gchar * to, JsonObject * data);

G_END_DECLS
