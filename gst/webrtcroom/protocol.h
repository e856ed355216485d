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
/* Frames nested deeper than this many objects/arrays are refused before
 * json-glib (which recurses per level) sees them. */
#define GST_WEBRTC_ROOM_MAX_JSON_DEPTH 32
/* meta (the object itself included) nests at most this deep: a welcome
 * carries it 3 levels down, within GST_WEBRTC_ROOM_MAX_JSON_DEPTH */
#define GST_WEBRTC_ROOM_MAX_META_DEPTH 16
/* Integers beyond +-(2^53 - 1) are refused (not exact in a browser) */
#define GST_WEBRTC_ROOM_MAX_JSON_INT ((G_GINT64_CONSTANT (1) << 53) - 1)
/* ping ids larger than this, serialised, are refused */
#define GST_WEBRTC_ROOM_MAX_PING_ID_BYTES 256
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
GST_WEBRTC_ROOM_API GQuark gst_webrtc_room_error_quark (void);

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
    const gchar
    * gst_webrtc_room_message_type_to_string (GstWebRTCRoomMessageType type);

GST_WEBRTC_ROOM_API
    const gchar
    * gst_webrtc_room_peer_left_reason_to_string (GstWebRTCRoomPeerLeftReason
    reason);

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
    GstWebRTCRoomPeerInfo * gst_webrtc_room_peer_info_new (const gchar * id,
    const gchar * name, JsonObject * meta, gboolean offers);
GST_WEBRTC_ROOM_API
    GstWebRTCRoomPeerInfo *
gst_webrtc_room_peer_info_copy (const GstWebRTCRoomPeerInfo * info);
GST_WEBRTC_ROOM_API void gst_webrtc_room_peer_info_free (GstWebRTCRoomPeerInfo *
    info);
GST_WEBRTC_ROOM_API GType gst_webrtc_room_peer_info_get_type (void);
#define GST_TYPE_WEBRTC_ROOM_PEER_INFO (gst_webrtc_room_peer_info_get_type ())

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstWebRTCRoomPeerInfo,
    gst_webrtc_room_peer_info_free)
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
       gchar *name;             /* join */
       JsonObject *meta;        /* join */
       gboolean offers;         /* join, default TRUE */
       gchar *token;            /* join, optional auth token */
       gchar *resume;           /* join: resume token; welcome: fresh token */

       /* signal / broadcast */
       gchar *to;               /* signal, client -> server */
       gchar *from;             /* signal/broadcast, server -> client */
       JsonObject *data;

       /* ping / pong: any JSON value, echoed; NULL when absent */
       JsonNode *id;

       /* welcome */
       gint protocol;
       gchar *peer;             /* welcome: your id; peer-left: who left */
       GPtrArray *peers;        /* welcome: GstWebRTCRoomPeerInfo* */
       JsonArray *ice_servers;  /* welcome */

       /* peer-joined */
       GstWebRTCRoomPeerInfo *peer_info;

       /* peer-left */
       GstWebRTCRoomPeerLeftReason reason;

       /* error */
       GstWebRTCRoomError code;
       gchar *code_string;      /* as received, even if unknown */
       gchar *message;
       gchar *ref;
     } GstWebRTCRoomMessage;

     GST_WEBRTC_ROOM_API GType gst_webrtc_room_message_get_type (void);
#define GST_TYPE_WEBRTC_ROOM_MESSAGE (gst_webrtc_room_message_get_type ())

GST_WEBRTC_ROOM_API
    GstWebRTCRoomMessage *
gst_webrtc_room_message_new (GstWebRTCRoomMessageType type);

     GST_WEBRTC_ROOM_API
         void gst_webrtc_room_message_free (GstWebRTCRoomMessage * msg);

GST_WEBRTC_ROOM_API
    GstWebRTCRoomMessage *
gst_webrtc_room_message_copy (const GstWebRTCRoomMessage * msg);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstWebRTCRoomMessage,
    gst_webrtc_room_message_free)
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
    GstWebRTCRoomMessage * gst_webrtc_room_message_parse (const gchar * text,
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
    gchar * gst_webrtc_room_message_serialize (const GstWebRTCRoomMessage * msg,
    GstWebRTCRoomDirection direction);

/* Convenience builders: each returns the serialized frame. */
GST_WEBRTC_ROOM_API
    gchar * gst_webrtc_room_build_error (GstWebRTCRoomError code,
    const gchar * message, const gchar * ref);

GST_WEBRTC_ROOM_API
    gchar * gst_webrtc_room_build_signal (const gchar * to_or_from,
    JsonObject * data, GstWebRTCRoomDirection direction);

GST_WEBRTC_ROOM_API
    gchar * gst_webrtc_room_build_join (const gchar * room, const gchar * name,
    JsonObject * meta, gboolean offers, const gchar * token,
    const gchar * resume);

/* Validators shared by the codec and the server's options. */
GST_WEBRTC_ROOM_API gboolean
gst_webrtc_room_is_valid_room (const gchar * room);

GST_WEBRTC_ROOM_API gboolean
gst_webrtc_room_is_valid_name (const gchar * name);

/* Signal payloads: the `data` of a signal between two room members
 * (protocol.md "Signal payloads" and this project's extension keys). The
 * server relays them untouched, so every field comes from an untrusted
 * peer: the codec type-checks and bounds each one. */

/**
 * GST_WEBRTC_ROOM_MAX_SDP_BYTES:
 *
 * Largest SDP accepted in a description: twice the server's default frame
 * limit (64 KiB). Chromium's audio+video+data offer is ~6 KB, each further
 * video m-line ~3 KB, so GST_WEBRTC_ROOM_MAX_MLINES of them fit. A 3.7 MB
 * SDP kept an element busy for seconds (issue 11).
 */
#define GST_WEBRTC_ROOM_MAX_SDP_BYTES (128 * 1024)

/**
 * GST_WEBRTC_ROOM_MAX_MLINES:
 *
 * Most m-lines accepted in one description; webrtcbin starts threads per
 * m-line (982 m-lines in 64 KB made 2,952 threads, issue 11).
 */
#define GST_WEBRTC_ROOM_MAX_MLINES 32

/**
 * GST_WEBRTC_ROOM_MAX_CANDIDATE_BYTES:
 *
 * Longest ICE candidate line accepted (real ones are 60-250 bytes).
 */
#define GST_WEBRTC_ROOM_MAX_CANDIDATE_BYTES 1024

/**
 * GST_WEBRTC_ROOM_MAX_MID_BYTES:
 *
 * Longest `sdpMid` accepted (real ones are "0", "audio"...).
 */
#define GST_WEBRTC_ROOM_MAX_MID_BYTES 64


/**
 * GstWebRTCRoomPayloadType:
 * @GST_WEBRTC_ROOM_PAYLOAD_OTHER: none of the keys below: ignored by
 *   receivers (room for extensions)
 * @GST_WEBRTC_ROOM_PAYLOAD_DESCRIPTION: `{"description": {type, sdp}}`,
 *   with the optional extension key `"restart": true`
 * @GST_WEBRTC_ROOM_PAYLOAD_CANDIDATE: `{"candidate": {candidate, sdpMid,
 *   sdpMLineIndex}}`
 * @GST_WEBRTC_ROOM_PAYLOAD_END_OF_CANDIDATES: `{"candidate": null}` (or an
 *   empty candidate string, as browsers send it)
 * @GST_WEBRTC_ROOM_PAYLOAD_RENEGOTIATE: extension `{"renegotiate": true,
 *   "media": ["video", ...]}`: the peer asks us to offer again, with a new
 *   m-line of each kind listed
 */
     typedef enum
     {
       GST_WEBRTC_ROOM_PAYLOAD_OTHER = 0,
       GST_WEBRTC_ROOM_PAYLOAD_DESCRIPTION,
       GST_WEBRTC_ROOM_PAYLOAD_CANDIDATE,
       GST_WEBRTC_ROOM_PAYLOAD_END_OF_CANDIDATES,
       GST_WEBRTC_ROOM_PAYLOAD_RENEGOTIATE,
     } GstWebRTCRoomPayloadType;

/**
 * GstWebRTCRoomSdpType:
 * @GST_WEBRTC_ROOM_SDP_OFFER: "offer"
 * @GST_WEBRTC_ROOM_SDP_ANSWER: "answer"
 */
     typedef enum
     {
       GST_WEBRTC_ROOM_SDP_OFFER,
       GST_WEBRTC_ROOM_SDP_ANSWER,
     } GstWebRTCRoomSdpType;

/**
 * GstWebRTCRoomSignalPayload:
 * @type: which payload this is; only its fields are meaningful
 * @sdp_type: description: offer or answer
 * @sdp: description: the SDP text (at most GST_WEBRTC_ROOM_MAX_SDP_BYTES,
 *   at most GST_WEBRTC_ROOM_MAX_MLINES m-lines)
 * @restart: description: the peer replaced a dead connection
 * @candidate: candidate: the candidate line, without control characters
 * @sdp_mid: (nullable): candidate: the m-line's mid
 * @sdp_mline_index: candidate: the m-line index, -1 when absent
 * @media: (nullable): renegotiate: %NULL-terminated kinds ("audio",
 *   "video") wanted as new m-lines; other kinds are left out
 *
 * One parsed or to-be-sent signal payload. Field names are C names: the
 * wire names live in protocol.c only.
 */
     typedef struct
     {
       GstWebRTCRoomPayloadType type;
       GstWebRTCRoomSdpType sdp_type;
       gchar *sdp;
         gboolean restart;
       gchar *candidate;
       gchar *sdp_mid;
         gint sdp_mline_index;
         GStrv media;
     } GstWebRTCRoomSignalPayload;

GST_WEBRTC_ROOM_API
    GstWebRTCRoomSignalPayload *
gst_webrtc_room_signal_payload_new (GstWebRTCRoomPayloadType type);

GST_WEBRTC_ROOM_API
    GstWebRTCRoomSignalPayload *
gst_webrtc_room_signal_payload_new_description (GstWebRTCRoomSdpType sdp_type,
    const gchar * sdp, gboolean restart);

GST_WEBRTC_ROOM_API
    GstWebRTCRoomSignalPayload *
gst_webrtc_room_signal_payload_new_candidate (const gchar * candidate,
    const gchar * sdp_mid, gint sdp_mline_index);

GST_WEBRTC_ROOM_API
    GstWebRTCRoomSignalPayload *
gst_webrtc_room_signal_payload_copy (const GstWebRTCRoomSignalPayload *
    payload);

     GST_WEBRTC_ROOM_API
         void gst_webrtc_room_signal_payload_free (GstWebRTCRoomSignalPayload *
    payload);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstWebRTCRoomSignalPayload,
    gst_webrtc_room_signal_payload_free)
     GST_WEBRTC_ROOM_API const gchar
         * gst_webrtc_room_sdp_type_to_string (GstWebRTCRoomSdpType type);

/**
 * gst_webrtc_room_signal_payload_parse:
 * @data: the `data` object of a received signal
 * @error: GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE naming the offending field
 *
 * Type-checks and bounds every field this project reads. Unknown keys are
 * ignored; data with none of ours gives GST_WEBRTC_ROOM_PAYLOAD_OTHER.
 *
 * Returns: (transfer full) (nullable): the payload, or %NULL with @error
 */
GST_WEBRTC_ROOM_API
    GstWebRTCRoomSignalPayload *
gst_webrtc_room_signal_payload_parse (JsonObject * data, GError ** error);

/**
 * gst_webrtc_room_signal_payload_parse_text:
 * @text: a JSON object's text (need not be NUL-terminated)
 * @len: length of @text, or -1
 * @error: BAD_JSON (not UTF-8, too deep, not an object) or BAD_MESSAGE
 *
 * gst_webrtc_room_signal_payload_parse() on a `data` object given as text.
 *
 * Returns: (transfer full) (nullable): the payload, or %NULL with @error
 */
GST_WEBRTC_ROOM_API
    GstWebRTCRoomSignalPayload *
gst_webrtc_room_signal_payload_parse_text (const gchar * text, gssize len,
    GError ** error);

/**
 * gst_webrtc_room_signal_payload_to_json:
 * @payload: a payload
 *
 * Returns: (transfer full): the `data` object to send (empty for
 *   GST_WEBRTC_ROOM_PAYLOAD_OTHER)
 */
GST_WEBRTC_ROOM_API
    JsonObject *
gst_webrtc_room_signal_payload_to_json (const GstWebRTCRoomSignalPayload *
    payload);


G_END_DECLS
