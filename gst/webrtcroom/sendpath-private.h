/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The send side of one input track, encoded once whatever the number of
 * peers:   ghost -> queue -> [convert -> encoder | parser] -> tee
 * and per peer a branch:   tee -> queue -> payloader(pt) [-> capssetter]
 *
 * It lives in a container bin it is given, and knows nothing of the room
 * element: what it needs from its owner (the codec to encode raw input to)
 * and what it tells it (the chain is built, EOS arrived) go through the
 * callbacks given at creation. */

#pragma once

#include <gst/gst.h>

#include "codecs-private.h"

G_BEGIN_DECLS typedef struct _GstWebRTCRoomSendPath GstWebRTCRoomSendPath;

typedef struct
{
  /* Raw input: the codec name to encode to (newly allocated) and the
   * video bitrate in bits/s, asked when the first caps arrive and when a
   * branch is made before that. */
  gchar *(*encoder_config) (GstWebRTCRoomSendPath * path, guint * bitrate,
      gpointer user_data);
  /* The chain is built from the first caps (upstream streaming thread,
   * before those caps go on): branches can be made. */
  void (*caps_ready) (GstWebRTCRoomSendPath * path, gpointer user_data);
  /* EOS reached the input (upstream streaming thread). It goes no further
   * than the tee: a peer's branch never sees it. */
  void (*eos) (GstWebRTCRoomSendPath * path, gpointer user_data);
} GstWebRTCRoomSendPathCallbacks;

/* @container: the bin the elements go in (not a ref); errors (a missing
 * element, a format WebRTC cannot carry) are posted from it. @name: the
 * ghost sink pad's name, its prefix ("audio"/"video") the kind. */
GstWebRTCRoomSendPath *gst_webrtc_room_send_path_new (GstBin * container,
    GstPadTemplate * templ, const gchar * name,
    const GstWebRTCRoomSendPathCallbacks * callbacks, gpointer user_data);
/* Removes the chain from the container (not the ghost pad: its owner
 * removes it); the branches must be released before. */
void gst_webrtc_room_send_path_free (GstWebRTCRoomSendPath * path);

GstPad *gst_webrtc_room_send_path_get_pad (GstWebRTCRoomSendPath * path);
const gchar *gst_webrtc_room_send_path_get_media (GstWebRTCRoomSendPath * path);
gboolean gst_webrtc_room_send_path_is_ready (GstWebRTCRoomSendPath * path);
gboolean gst_webrtc_room_send_path_is_eos (GstWebRTCRoomSendPath * path);
/* The codec sent: the chain's, or before caps the configured one (NULL if
 * unknown). */
const GstWebRTCRoomCodec *gst_webrtc_room_send_path_get_codec
    (GstWebRTCRoomSendPath * path);

/* Key units: the pad a request goes out of (a ref), taken under whatever
 * lock keeps @path alive, then the request sent with no lock held (the
 * event travels upstream through the input chain to the encoder, or the
 * upstream encoder for pre-encoded input). */
GstPad *gst_webrtc_room_send_path_get_key_unit_pad (GstWebRTCRoomSendPath *
    path);
void gst_webrtc_room_request_key_unit (GstPad * pad);
void gst_webrtc_room_send_path_force_key_unit (GstWebRTCRoomSendPath * path);

/* A peer's branch: queue (leaky, EOS kept out) -> @codec's payloader(@pt)
 * [-> capssetter announcing @profile_level_id for H264], added to the
 * container and synced, not linked to the tee yet. Returns the branch's
 * queue (its handle, not a ref) and @src its last src pad (a ref), or NULL
 * if an element is missing (posted). */
GstElement *gst_webrtc_room_send_path_make_branch (GstWebRTCRoomSendPath *
    path, const GstWebRTCRoomCodec * codec, gint pt,
    const gchar * profile_level_id, GstPad ** src);
/* Links the branch to the tee and asks for a key unit (a late joiner must
 * not wait for the next periodic one). */
void gst_webrtc_room_send_path_start_branch (GstWebRTCRoomSendPath * path,
    GstElement * queue);
/* Unlinks @queue's branch from the tee, releasing its pad, and collects
 * its elements (refs) into @elements, following the links downstream up
 * to @until. Returns @until's sink pad the branch fed (a ref), if any. The
 * caller removes the elements once what they push into is stopped. */
GstPad *gst_webrtc_room_send_path_release_branch (GstWebRTCRoomSendPath *
    path, GstElement * queue, GstElement * until, GPtrArray * elements);

/* Element helpers shared with the receive side (media.c). A missing
 * factory posts a missing-element message and an element error from
 * @container. */
void gst_webrtc_room_post_missing_element (GstBin * container,
    const gchar * factory);
GstElement *gst_webrtc_room_make_element (GstBin * container,
    const gchar * factory);
/* Adds @elements to @container, links them in order after @upstream (if
 * any) and syncs their states; returns the last one. */
GstElement *gst_webrtc_room_add_chain (GstBin * container,
    GstElement * upstream, GstElement ** elements, guint n);

G_END_DECLS
