package dev.seraphim.security;

import jakarta.ejb.ApplicationException;

/** No live key has this id. */
@ApplicationException
public class KeyNotFoundException extends RuntimeException {
    public KeyNotFoundException(String id) {
        super("no API key with id '" + (id != null && id.matches("[a-z0-9]{1,32}") ? id : "?") + "'");
    }
}
