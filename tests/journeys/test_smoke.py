async def test_start(john):
    replies = await john.send("/start")
    assert "Testville" in replies.text
    r = await john.press("Propose a project"); print(r.text)
    for t in ["A bench on the square", "A wooden bench in front of the church for the elders.", "x"*60]:
        r = await john.send(t); print(r.text)
    r = await john.press("Environment"); print(r.text)
    r = await john.send_location(50.5, 4.5); print(r.text)
    r = await john.send("20 000 €"); print(r.text)
    r = await john.send("1.500"); print(r.text)
    r = await john.send("/skip"); print(r.text, r[-1].button_labels())
    r = await john.press("Submit"); print(r.text)
    r = await john.send("/myproposals"); print(r.text)
