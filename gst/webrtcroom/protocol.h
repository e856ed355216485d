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
#include <gst/webrtcroom/webrtcroom-prelude.h>

G_BEGIN_DECLS

/**
 * GST_WEBRTC_ROOM_PROTOCOL_VERSION:
 *
 * The room protocol version this codec speaks (docs/protocol.md).
 */
#define GST_WEBRTC_ROOM_PROTOCOL_VERSION 1

#define GST_WEBRTC_ROOM_MAX_ROOM_LEN 64
#define GST_WEBRTC_ROOM_MAX_NAME_CHARS 64
#define GST_WEBRTC_ROOM_MAX_META_BYTES 4096

/**
 * GstWebRTCRoomMessageType:
 *
 * Every message type of protocol v1. Client-to-server and server-to-client
 * `signal`/`broadcast` share one enum value; the direction given to
 * gst_webrtc_room_message_parse() decides which fields are expected.
 */
typedef enum /*< underscore_name=gst_webrtc_room_message_type >*/
{
  GST_WEBRTC_ROOM_MESSAGE_INVALID = 0,
  /* client -> server */
  GST_WEBRTC_ROOM_MESSAGE_JOIN,
  GST_WEBRTC_ROOM_MESSAGE_LEAVE,
  GST_WEBRTC_ROOM_MESSAGE_PING,
  /* both directions */
  GST_WEBRTC_ROOM_MESSAGE_SIGNAL,
  GST_WEBRTC_ROOM_MESSAGE_BROADCAST,
  /* server -> client */
  GST_WEBRTC_ROOM_MESSAGE_WELCOME,
  GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED,
  GST_WEBRTC_ROOM_MESSAGE_PEER_LEFT,
  GST_WEBRTC_ROOM_MESSAGE_PONG,
  GST_WEBRTC_ROOM_MESSAGE_ERROR,
} GstWebRTCRoomMessageType;

/**
 * GstWebRTCRoomDirection:
 * @GST_WEBRTC_ROOM_TO_SERVER: a frame sent by a client
 * @GST_WEBRTC_ROOM_TO_CLIENT: a frame sent by the server
 */
typedef enum /*< underscore_name=gst_webrtc_room_direction >*/
{
  GST_WEBRTC_ROOM_TO_SERVER,
  GST_WEBRTC_ROOM_TO_CLIENT,
} GstWebRTCRoomDirection;

/**
 * GstWebRTCRoomError:
 *
 * The stable error codes of protocol v1, in the
 * GST_WEBRTC_ROOM_ERROR domain. gst_webrtc_room_error_to_code() gives the
 * wire string.
 */
typedef enum /*< underscore_name=gst_webrtc_room_error >*/
{
  GST_WEBRTC_ROOM_ERROR_BAD_JSON,
  GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE,
  GST_WEBRTC_ROOM_ERROR_UNKNOWN_TYPE,
  GST_WEBRTC_ROOM_ERROR_NOT_JOINED,
  GST_WEBRTC_ROOM_ERROR_ALREADY_JOINED,
  GST_WEBRTC_ROOM_ERROR_UNKNOWN_PEER,
  GST_WEBRTC_ROOM_ERROR_ROOM_FULL,
  GST_WEBRTC_ROOM_ERROR_UNAUTHORIZED,
  GST_WEBRTC_ROOM_ERROR_TOO_LARGE,
  GST_WEBRTC_ROOM_ERROR_RATE_LIMITED,
  GST_WEBRTC_ROOM_ERROR_JOIN_TIMEOUT,
  /* not a wire code: a code we do not know (from a newer server) */
  GST_WEBRTC_ROOM_ERROR_UNKNOWN,
} GstWebRTCRoomError;

#define GST_WEBRTC_ROOM_ERROR (gst_webrtc_room_error_quark ())
GST_WEBRTC_ROOM_API
GQuark gst_webrtc_room_error_quark (void);

GST_WEBRTC_ROOM_API
const gchar *gst_webrtc_room_error_to_code (GstWebRTCRoomError error);

GST_WEBRTC_ROOM_API
GstWebRTCRoomError gst_webrtc_room_error_from_code (const gchar * code);

/**
 * GstWebRTCRoomPeerLeftReason:
 */
typedef enum /*< underscore_name=gst_webrtc_room_peer_left_reason >*/
{
  GST_WEBRTC_ROOM_LEFT_LEFT,
  GST_WEBRTC_ROOM_LEFT_TIMEOUT,
  GST_WEBRTC_ROOM_LEFT_KICKED,
} GstWebRTCRoomPeerLeftReason;

GST_WEBRTC_ROOM_API
const gchar *gst_webrtc_room_message_type_to_string (GstWebRTCRoomMessageType type);

GST_WEBRTC_ROOM_API
const gchar *gst_webrtc_room_peer_left_reason_to_string (GstWebRTCRoomPeerLeftReason reason);

/**
 * GstWebRTCRoomPeerInfo:
 * @id: the server-assigned peer id
 * @name: (nullable): display name
 * @meta: (nullable): opaque JSON object, relayed verbatim
 * @offers: whether this peer creates the first offer
 */
typedef struct
{
  gchar *id;
  gchar *name;
  JsonObject *meta;
  gboolean offers;
} GstWebRTCRoomPeerInfo;

GST_WEBRTC_ROOM_API
GstWebRTCRoomPeerInfo *gst_webrtc_room_peer_info_new (const gchar * id,
    const gchar * name, JsonObject * meta, gboolean offers);
GST_WEBRTC_ROOM_API
GstWebRTCRoomPeerInfo *gst_webrtc_room_peer_info_copy (const GstWebRTCRoomPeerInfo * info);
GST_WEBRTC_ROOM_API
void gst_webrtc_room_peer_info_free (GstWebRTCRoomPeerInfo * info);
GST_WEBRTC_ROOM_API
GType gst_webrtc_room_peer_info_get_type (void);
#define GST_TYPE_WEBRTC_ROOM_PEER_INFO (gst_webrtc_room_peer_info_get_type ())

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstWebRTCRoomPeerInfo, gst_webrtc_room_peer_info_free)

/**
 * GstWebRTCRoomMessage:
 *
 * One parsed or to-be-built protocol frame. Only the fields of @type are
 * meaningful; the others are %NULL/0. Field names are C names: the wire
 * names live in protocol.c only.
 */
typedef struct
{
  GstWebRTCRoomMessageType type;

  /* join (client) / welcome (server) */
  gchar *room;
  gchar *name;                  /* join */
  JsonObject *meta;             /* join */
  gboolean offers;              /* join, default TRUE */
  gchar *token;                 /* join, optional auth token */
  gchar *resume;                /* join: resume token; welcome: fresh token */

  /* signal / broadcast */
  gchar *to;                    /* signal, client -> server */
  gchar *from;                  /* signal/broadcast, server -> client */
  JsonObject *data;

  /* ping / pong: any JSON value, echoed; NULL when absent */
  JsonNode *id;

  /* welcome */
  gint protocol;
  gchar *peer;                  /* welcome: your id; peer-left: who left */
  GPtrArray *peers;             /* welcome: GstWebRTCRoomPeerInfo* */
  JsonArray *ice_servers;       /* welcome */

  /* peer-joined */
  GstWebRTCRoomPeerInfo *peer_info;

  /* peer-left */
  GstWebRTCRoomPeerLeftReason reason;

  /* error */
  GstWebRTCRoomError code;
  gchar *code_string;           /* as received, even if unknown */
  gchar *message;
  gchar *ref;
} GstWebRTCRoomMessage;

GST_WEBRTC_ROOM_API
GType gst_webrtc_room_message_get_type (void);
#define GST_TYPE_WEBRTC_ROOM_MESSAGE (gst_webrtc_room_message_get_type ())

GST_WEBRTC_ROOM_API
GstWebRTCRoomMessage *gst_webrtc_room_message_new (GstWebRTCRoomMessageType type);

GST_WEBRTC_ROOM_API
void gst_webrtc_room_message_free (GstWebRTCRoomMessage * msg);

GST_WEBRTC_ROOM_API
GstWebRTCRoomMessage *gst_webrtc_room_message_copy (const GstWebRTCRoomMessage * msg);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstWebRTCRoomMessage, gst_webrtc_room_message_free)

/**
 * gst_webrtc_room_message_parse:
 * @text: frame payload, not necessarily NUL-terminated
 * @len: length of @text in bytes
 * @direction: who sent the frame
 * @ref: (out) (optional) (transfer full): on error, the `type` of the
 *   offending message when it could be read (for the error's `ref` field)
 * @error: a GST_WEBRTC_ROOM_ERROR: BAD_JSON, BAD_MESSAGE or UNKNOWN_TYPE
 *
 * Parses one text frame into a typed message, validating every field of
 * protocol v1 (room syntax, name length, meta size, field types).
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with @error set
 */
GST_WEBRTC_ROOM_API
GstWebRTCRoomMessage *gst_webrtc_room_message_parse (const gchar * text,
    gssize len, GstWebRTCRoomDirection direction, gchar ** ref,
    GError ** error);

/**
 * gst_webrtc_room_message_serialize:
 * @msg: a message
 * @direction: who sends it (decides `to` vs `from` for signal)
 *
 * Returns: (transfer full): the JSON text of @msg
 */
GST_WEBRTC_ROOM_API
gchar *gst_webrtc_room_message_serialize (const GstWebRTCRoomMessage * msg,
    GstWebRTCRoomDirection direction);

/* Convenience builders: each returns the serialized frame. */
GST_WEBRTC_ROOM_API
gchar *gst_webrtc_room_build_error (GstWebRTCRoomError code,
    const gchar * message, const gchar * ref);

GST_WEBRTC_ROOM_API
gchar *gst_webrtc_room_build_signal (const gchar * to_or_from,
    JsonObject * data, GstWebRTCRoomDirection direction);

GST_WEBRTC_ROOM_API
gchar *gst_webrtc_room_build_join (const gchar * room, const gchar * name,
    JsonObject * meta, gboolean offers, const gchar * token,
    const gchar * resume);

/* Validators shared by the codec and the server's options. */
GST_WEBRTC_ROOM_API
gboolean gst_webrtc_room_is_valid_room (const gchar * room);

GST_WEBRTC_ROOM_API
gboolean gst_webrtc_room_is_valid_name (const gchar * name);

G_END_DECLS
