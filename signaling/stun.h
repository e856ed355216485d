/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS
/* A STUN responder (RFC 5389 Binding requests only, answered with
 * XOR-MAPPED-ADDRESS) on a UDP socket, served from the thread-default
 * main context. Everything that is not a valid Binding request is
 * ignored. */
typedef struct _WrStunServer WrStunServer;

WrStunServer *wr_stun_server_new (const gchar * host, guint port,
    GError ** error);

guint wr_stun_server_get_port (WrStunServer * stun);

guint64 wr_stun_server_get_n_answered (WrStunServer * stun);

void wr_stun_server_free (WrStunServer * stun);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WrStunServer, wr_stun_server_free)
G_END_DECLS
