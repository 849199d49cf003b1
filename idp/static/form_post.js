// Submit the authorization response to the app (form_post response mode).
document.getElementById("response").submit();
