// The JSON API client (docs/api.md). Every write carries the session's CSRF token in
// X-CSRF-Token; errors come back as {"error": sentence} and are thrown as ApiError with that
// sentence, so each page shows the server's own words.
'use strict';

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const api = (() => {
  let csrfToken = '';

  function setCsrf(token) {
    csrfToken = token || '';
  }

  async function request(method, path, body) {
    const init = { method, headers: {}, credentials: 'same-origin' };
    if (method !== 'GET' && method !== 'HEAD') init.headers['X-CSRF-Token'] = csrfToken;
    if (body instanceof FormData) {
      init.body = body;
    } else if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, 'The server cannot be reached. Check the connection and try again.');
    }
    const text = await response.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (e) {
        data = null;
      }
    }
    if (!response.ok) {
      const sentence = data && typeof data.error === 'string' ? data.error
        : `The server answered ${response.status} ${response.statusText}.`;
      const error = new ApiError(response.status, sentence);
      error.data = data;
      if (response.status === 401 && path !== '/api/session') {
        window.dispatchEvent(new CustomEvent('casecrypt:logged-out'));
      }
      throw error;
    }
    return data;
  }

  // A list answer may be an array or an object holding one (e.g. {"certificates": [...]}).
  function list(data, key) {
    if (Array.isArray(data)) return data;
    if (data && Array.isArray(data[key])) return data[key];
    if (data && typeof data === 'object') {
      const arrays = Object.values(data).filter(Array.isArray);
      if (arrays.length === 1) return arrays[0];
    }
    return [];
  }

  const enc = encodeURIComponent;
  return {
    ApiError,
    setCsrf,
    list,
    enc,
    get: (path) => request('GET', path),
    post: (path, body) => request('POST', path, body === undefined ? {} : body),
    put: (path, body) => request('PUT', path, body),
    del: (path) => request('DELETE', path),
  };
})();
