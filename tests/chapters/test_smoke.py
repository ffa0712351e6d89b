def test_chartered_is_in_good_standing(chartered, t0):
    from isoc.chapters import services as cs

    assert cs.in_good_standing(chartered, t0)
