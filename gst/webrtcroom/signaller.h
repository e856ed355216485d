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
#include <gst/webrtcroom/webrtcroom-prelude.h>
#include <gst/webrtcroom/protocol.h>

G_BEGIN_DECLS

/**
 * GstWebRTCRoomJoinParams:
 * @room: room to join
 * @name: (nullable): display name
 * @meta: (nullable): opaque JSON object shown to the other peers
 * @offers: whether we create the first offer towards peers already present
 * @token: (nullable): join token when the server requires one
 *
 * What a signaller sends in its `join`.
 */
typedef struct
{
  gchar *room;
  gchar *name;
  JsonObject *meta;
  gboolean offers;
  gchar *token;
} GstWebRTCRoomJoinParams;

GST_WEBRTC_ROOM_API
GstWebRTCRoomJoinParams *gst_webrtc_room_join_params_new (const gchar * room,
    const gchar * name, JsonObject * meta, gboolean offers,
    const gchar * token);
GST_WEBRTC_ROOM_API
GstWebRTCRoomJoinParams *gst_webrtc_room_join_params_copy (const GstWebRTCRoomJoinParams * params);
GST_WEBRTC_ROOM_API
void gst_webrtc_room_join_params_free (GstWebRTCRoomJoinParams * params);
GST_WEBRTC_ROOM_API
GType gst_webrtc_room_join_params_get_type (void);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstWebRTCRoomJoinParams, gst_webrtc_room_join_params_free)

#define GST_TYPE_WEBRTC_ROOM_SIGNALLER (gst_webrtc_room_signaller_get_type ())
GST_WEBRTC_ROOM_API
G_DECLARE_INTERFACE (GstWebRTCRoomSignaller, gst_webrtc_room_signaller,
    GST, WEBRTC_ROOM_SIGNALLER, GObject)

/**
 * GstWebRTCRoomSignallerInterface:
 * @start: connect and join the room described by @params. Asynchronous:
 *   the outcome arrives as the #GstWebRTCRoomSignaller::welcome or
 *   #GstWebRTCRoomSignaller::error signal.
 * @stop: leave the room (sending `leave` when connected) and disconnect.
 *   No signal is emitted after stop returns.
 * @send: relay @data to peer @to, or to every other peer when @to is %NULL
 *   (a `broadcast`). Callable from any thread.
 *
 * The room signalling transport. Threading contract, which every
 * implementation must keep: start() is called with the caller's
 * thread-default #GMainContext pushed, and every signal is emitted from
 * that context; send() may be called from any thread (webrtcbin's
 * callbacks come from its own threads) and hands the work to that
 * context.
 */
struct _GstWebRTCRoomSignallerInterface
{
  GTypeInterface parent_iface;

  void (*start) (GstWebRTCRoomSignaller * self,
      const GstWebRTCRoomJoinParams * params);
  void (*stop) (GstWebRTCRoomSignaller * self);
  void (*send) (GstWebRTCRoomSignaller * self, const gchar * to,
      JsonObject * data);

  gpointer padding[8];
};

GST_WEBRTC_ROOM_API
void gst_webrtc_room_signaller_start (GstWebRTCRoomSignaller * self,
    const GstWebRTCRoomJoinParams * params);
GST_WEBRTC_ROOM_API
void gst_webrtc_room_signaller_stop (GstWebRTCRoomSignaller * self);
GST_WEBRTC_ROOM_API
void gst_webrtc_room_signaller_send (GstWebRTCRoomSignaller * self,
    const gchar * to, JsonObject * data);

/* For implementations: emit the interface's signals. */
GST_WEBRTC_ROOM_API
void gst_webrtc_room_signaller_emit_welcome (GstWebRTCRoomSignaller * self,
    const GstWebRTCRoomMessage * welcome, gboolean resumed);
GST_WEBRTC_ROOM_API
void gst_webrtc_room_signaller_emit_peer_joined (GstWebRTCRoomSignaller * self,
    const GstWebRTCRoomPeerInfo * peer);
GST_WEBRTC_ROOM_API
void gst_webrtc_room_signaller_emit_peer_left (GstWebRTCRoomSignaller * self,
    const gchar * peer_id, const gchar * reason);
GST_WEBRTC_ROOM_API
void gst_webrtc_room_signaller_emit_signal (GstWebRTCRoomSignaller * self,
    const gchar * from, JsonObject * data);
GST_WEBRTC_ROOM_API
void gst_webrtc_room_signaller_emit_broadcast (GstWebRTCRoomSignaller * self,
    const gchar * from, JsonObject * data);
GST_WEBRTC_ROOM_API
void gst_webrtc_room_signaller_emit_error (GstWebRTCRoomSignaller * self,
    const GError * error, gboolean fatal);
GST_WEBRTC_ROOM_API
void gst_webrtc_room_signaller_emit_ice_servers (GstWebRTCRoomSignaller * self,
    const gchar * peer_id, JsonArray * servers);
GST_WEBRTC_ROOM_API
void gst_webrtc_room_signaller_emit_connection_lost (GstWebRTCRoomSignaller * self,
    const GError * error);

G_END_DECLS
